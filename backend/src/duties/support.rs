//! Paired support (measure 16, 携手奔小康): the pairings of supporting DPFs with the
//! deeply poor counties (and Jinan's DPF with 湘西州), kept by the poverty office, and
//! the support given under each; per pairing and period what was given, and which
//! pairings recorded nothing in the quarter.
//!
//! A pairing is seen by the units on either side (and the province); support is
//! recorded by the staff of either side or by the poverty office.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::AuditAction;
use shared::auth::Capability;
use shared::duties::{
    PairSupportRow, Support, SupportInput, SupportKind, SupportKpi, SupportPair, SupportPairCreate,
    SupportPairInput,
};
use shared::plan::Period;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::auth::{AuthUser, Scope};
use crate::db::schema::{org_units, support_entries, support_pairs};
use crate::db::{code, now, today, uuid, write_tx, DbConn};
use crate::error::ApiError;
use crate::pii::Pii;
use crate::record;

/// A pairing as loaded.
type Row = (
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    i32,
    Option<i32>,
);

fn sees(scope: &Scope, p: &SupportPairInput) -> bool {
    scope.covers_region(&p.supported_code)
        || p.supporter_code
            .as_deref()
            .is_some_and(|c| scope.covers_region(c))
}

/// The live pairings the caller's area is on either side of.
pub fn pairs(conn: &mut DbConn, scope: &Scope) -> Result<Vec<SupportPair>, ApiError> {
    let rows: Vec<Row> = support_pairs::table
        .filter(support_pairs::deleted_at.is_null())
        .order(support_pairs::id.asc())
        .select((
            support_pairs::id,
            support_pairs::version,
            support_pairs::supporter_code,
            support_pairs::supporter_name,
            support_pairs::supported_code,
            support_pairs::from_year,
            support_pairs::to_year,
        ))
        .load(conn)?;
    let names: HashMap<String, String> = org_units::table
        .select((org_units::code, org_units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for (id, version, supporter_code, supporter_name, supported_code, from_year, to_year) in rows {
        let fields = SupportPairInput {
            supporter_code,
            supporter_name,
            supported_code,
            from_year,
            to_year,
        };
        if !sees(scope, &fields) {
            continue;
        }
        let supporter = match (&fields.supporter_code, &fields.supporter_name) {
            (Some(c), _) => names.get(c).cloned().unwrap_or_else(|| c.clone()),
            (None, Some(n)) => n.clone(),
            (None, None) => String::new(),
        };
        let supported = names
            .get(&fields.supported_code)
            .cloned()
            .unwrap_or_default();
        out.push(SupportPair {
            id: uuid(&id)?,
            version,
            fields,
            supporter,
            supported,
        });
    }
    Ok(out)
}

fn pair(conn: &mut DbConn, scope: &Scope, id: Uuid) -> Result<SupportPair, ApiError> {
    pairs(conn, scope)?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ApiError::NotFound)
}

/// Keeps a new pairing (the province's poverty office).
pub fn create_pair(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &SupportPairCreate,
) -> Result<(bool, SupportPair), ApiError> {
    user.require(Capability::ManagePlan)?;
    if user.scope != Scope::Province {
        return Err(ApiError::Forbidden(
            "the province's poverty office keeps the pairings".into(),
        ));
    }
    body.fields.validate()?;
    let hash = record::create_digest(pii, "support_pair", &body.fields)?;
    write_tx(conn, |conn| {
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, bool)> = support_pairs::table
            .find(id.to_string())
            .select((
                support_pairs::create_hash,
                support_pairs::created_by,
                support_pairs::deleted_at.is_not_null(),
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, deleted)) = stored {
            record::replay(
                record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: true,
                },
                &hash,
                user,
            )?;
            return Ok((false, pair(conn, &user.scope, id)?));
        }
        let f = &body.fields;
        for (field, c) in [
            ("supporter_code", f.supporter_code.as_deref()),
            ("supported_code", Some(f.supported_code.trim())),
        ] {
            if let Some(c) = c {
                let known: i64 = org_units::table
                    .filter(org_units::code.eq(c))
                    .count()
                    .get_result(conn)?;
                if known == 0 {
                    return Err(ApiError::field(
                        field,
                        "unknown_unit",
                        "no such city or county",
                    ));
                }
            }
        }
        if f.supporter_code.as_deref() == Some(f.supported_code.trim()) {
            return Err(ApiError::field(
                "supported_code",
                "duplicate",
                "a DPF does not pair with itself",
            ));
        }
        let at = now();
        diesel::insert_into(support_pairs::table)
            .values((
                support_pairs::id.eq(id.to_string()),
                support_pairs::supporter_code.eq(&f.supporter_code),
                support_pairs::supporter_name.eq(f.supporter_name.as_deref().map(str::trim)),
                support_pairs::supported_code.eq(f.supported_code.trim()),
                support_pairs::from_year.eq(f.from_year),
                support_pairs::to_year.eq(f.to_year),
                support_pairs::create_hash.eq(&hash),
                support_pairs::version.eq(1),
                support_pairs::created_at.eq(at),
                support_pairs::created_by.eq(user.id.to_string()),
                support_pairs::updated_at.eq(at),
                support_pairs::updated_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        let p = pair(conn, &user.scope, id)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "support_pair",
                entity_id: id,
                owner_region: "43",
                reason: None,
                before: None,
                after: Some(serde_json::to_value(&p.fields).unwrap_or_default()),
            },
        )?;
        Ok((true, p))
    })
}

/// Records support given under a pairing the caller's area is on either side of.
pub fn record_support(
    conn: &mut DbConn,
    pii: &Pii,
    user: &AuthUser,
    body: &SupportInput,
) -> Result<(bool, Support), ApiError> {
    user.require(Capability::RecordSupport)?;
    body.validate(today())?;
    let hash = record::create_digest(pii, "support_entry", body)?;
    write_tx(conn, |conn| {
        let p = pair(conn, &user.scope, body.pair_id)
            .map_err(|_| ApiError::field("pair_id", "not_found", "no such pairing in your area"))?;
        let id = body.id.unwrap_or_else(Uuid::now_v7);
        record::lock_id(conn, &id)?;
        let stored: Option<(Option<String>, String, bool)> = support_entries::table
            .find(id.to_string())
            .select((
                support_entries::create_hash,
                support_entries::created_by,
                support_entries::deleted_at.is_not_null(),
            ))
            .first(conn)
            .optional()?;
        if let Some((h, by, deleted)) = stored {
            record::replay(
                record::Existing {
                    create_hash: h.as_deref(),
                    created_by: &by,
                    deleted,
                    in_scope: true,
                },
                &hash,
                user,
            )?;
            return Ok((
                false,
                Support {
                    id,
                    fields: SupportInput {
                        id: None,
                        ..body.clone()
                    },
                },
            ));
        }
        let year = chrono::Datelike::year(&body.on_day);
        if year < p.fields.from_year || p.fields.to_year.is_some_and(|t| year > t) {
            return Err(ApiError::field(
                "on_day",
                "out_of_range",
                "the day lies outside the pairing's years",
            ));
        }
        diesel::insert_into(support_entries::table)
            .values((
                support_entries::id.eq(id.to_string()),
                support_entries::pair_id.eq(p.id.to_string()),
                support_entries::on_day.eq(body.on_day),
                support_entries::kind.eq(body.kind.as_str()),
                support_entries::amount_fen.eq(body.amount_fen),
                support_entries::description.eq(body.description.trim()),
                support_entries::create_hash.eq(&hash),
                support_entries::created_at.eq(now()),
                support_entries::created_by.eq(user.id.to_string()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Create,
                entity_type: "support_entry",
                entity_id: id,
                owner_region: &p.fields.supported_code,
                reason: None,
                before: None,
                after: Some(serde_json::to_value(body).unwrap_or_default()),
            },
        )?;
        Ok((
            true,
            Support {
                id,
                fields: SupportInput {
                    id: None,
                    ..body.clone()
                },
            },
        ))
    })
}

/// The support recorded under a pairing the caller sees, by day.
pub fn entries(conn: &mut DbConn, scope: &Scope, pair_id: Uuid) -> Result<Vec<Support>, ApiError> {
    pair(conn, scope, pair_id)?;
    let rows: Vec<(String, NaiveDate, String, i64, String)> = support_entries::table
        .filter(support_entries::pair_id.eq(pair_id.to_string()))
        .filter(support_entries::deleted_at.is_null())
        .order((support_entries::on_day.asc(), support_entries::id.asc()))
        .select((
            support_entries::id,
            support_entries::on_day,
            support_entries::kind,
            support_entries::amount_fen,
            support_entries::description,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, on_day, kind, amount_fen, description)| {
            let id = uuid(&id)?;
            Ok(Support {
                id,
                fields: SupportInput {
                    id: None,
                    pair_id,
                    on_day,
                    kind: code(&kind)?,
                    amount_fen,
                    description,
                },
            })
        })
        .collect()
}

/// Support per pairing in force in `period` (a year or a quarter), in the caller's
/// area; a pairing is idle when nothing was recorded in the period's last quarter.
pub fn kpi(conn: &mut DbConn, scope: &Scope, period: Period) -> Result<SupportKpi, ApiError> {
    let (start, end) = (period.start(), period.end());
    let last_quarter_start = match period.quarter {
        Some(_) => start,
        None => NaiveDate::from_ymd_opt(period.year, 10, 1).unwrap_or(start),
    };
    let in_force: Vec<SupportPair> = pairs(conn, scope)?
        .into_iter()
        .filter(|p| {
            p.fields.from_year <= period.year && p.fields.to_year.is_none_or(|t| t >= period.year)
        })
        .collect();
    let ids: Vec<String> = in_force.iter().map(|p| p.id.to_string()).collect();
    let rows: Vec<(String, NaiveDate, String, i64)> = support_entries::table
        .filter(support_entries::pair_id.eq_any(&ids))
        .filter(support_entries::deleted_at.is_null())
        .filter(support_entries::on_day.ge(start))
        .filter(support_entries::on_day.le(end))
        .select((
            support_entries::pair_id,
            support_entries::on_day,
            support_entries::kind,
            support_entries::amount_fen,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for p in in_force {
        let mine: Vec<&(String, NaiveDate, String, i64)> =
            rows.iter().filter(|r| r.0 == p.id.to_string()).collect();
        let mut row = PairSupportRow {
            entries: i64::try_from(mine.len()).unwrap_or(i64::MAX),
            money_fen: 0,
            in_kind_fen: 0,
            visits: 0,
            nothing_this_quarter: !mine.iter().any(|r| r.1 >= last_quarter_start),
            pair: p,
        };
        for (_, _, kind, fen) in mine {
            match code::<SupportKind>(kind)? {
                SupportKind::Money => row.money_fen = row.money_fen.saturating_add(*fen),
                SupportKind::Goods | SupportKind::Project => {
                    row.in_kind_fen = row.in_kind_fen.saturating_add(*fen)
                }
                SupportKind::Visit => row.visits += 1,
            }
        }
        out.push(row);
    }
    Ok(SupportKpi {
        year: period.year,
        quarter: period.quarter.map(u32::from),
        idle_pairs: i64::try_from(out.iter().filter(|r| r.nothing_this_quarter).count())
            .unwrap_or(i64::MAX),
        pairs: out,
    })
}

/// The support of the pairings in the caller's area in `period` as a table (one row per
/// pairing); the export is audited.
pub fn export(
    conn: &mut DbConn,
    user: &AuthUser,
    period: Period,
) -> Result<crate::tabular::Table, ApiError> {
    let k = kpi(conn, &user.scope, period)?;
    let yuan = shared::money::format_hundredths;
    let table = crate::tabular::Table {
        headers: [
            "帮扶方",
            "受援方代码",
            "受援方",
            "起始年度",
            "记录条数",
            "资金（元）",
            "物资及项目（元）",
            "走访次数",
            "本季度无记录",
        ]
        .map(String::from)
        .to_vec(),
        rows: k
            .pairs
            .iter()
            .map(|r| {
                vec![
                    r.pair.supporter.clone(),
                    r.pair.fields.supported_code.clone(),
                    r.pair.supported.clone(),
                    r.pair.fields.from_year.to_string(),
                    r.entries.to_string(),
                    yuan(r.money_fen),
                    yuan(r.in_kind_fen),
                    r.visits.to_string(),
                    if r.nothing_this_quarter { "是" } else { "否" }.into(),
                ]
            })
            .collect(),
        choices: Vec::new(),
    };
    write_tx(conn, |conn| {
        audit::record(
            conn,
            Event {
                actor: user,
                action: AuditAction::Export,
                entity_type: "support_pair",
                entity_id: Uuid::nil(),
                owner_region: user.scope.region(),
                reason: None,
                before: None,
                after: Some(serde_json::json!({"rows": k.pairs.len(), "period": period})),
            },
        )
    })?;
    Ok(table)
}

/// The plan layer's atoms of the support received (`support.received_fen`): one per
/// entry, in the supported unit, its value in fen (a visit counts 0).
pub fn received_atoms(
    conn: &mut DbConn,
    subjects: crate::plan::aggregates::Subjects<'_>,
) -> Result<Vec<crate::plan::aggregates::Atom>, ApiError> {
    let mut q = support_entries::table
        .inner_join(support_pairs::table)
        .filter(support_entries::deleted_at.is_null())
        .filter(support_pairs::deleted_at.is_null())
        .into_boxed();
    if let crate::plan::aggregates::Subjects::Only(ids) = subjects {
        q = q.filter(support_entries::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(String, String, NaiveDate, String, i64)> = q
        .select((
            support_entries::id,
            support_pairs::supported_code,
            support_entries::on_day,
            support_entries::kind,
            support_entries::amount_fen,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, county, day, kind, fen)| {
            (
                id,
                county,
                day,
                if kind == SupportKind::Visit.as_str() {
                    0
                } else {
                    fen
                },
            )
        })
        .map(|(id, county, day, fen)| crate::plan::aggregates::Atom {
            subject: id,
            county,
            year: chrono::Datelike::year(&day),
            day: Some(day),
            numerator: fen,
            denominator: 0,
            records: 1,
            valid_until: None,
        })
        .collect())
}

/// The support received per unit of `parent` and `children` in `year` (or the days of
/// `window`): the reference of the kept aggregates.
pub fn received_figures(
    conn: &mut DbConn,
    parent: &str,
    children: &[String],
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Result<std::collections::BTreeMap<String, crate::plan::indicators::Parts>, ApiError> {
    let atoms: Vec<_> = received_atoms(conn, crate::plan::aggregates::Subjects::All)?
        .into_iter()
        .filter(|a| a.year == year && a.county.starts_with(parent))
        .filter(|a| window.is_none_or(|(from, to)| a.day.is_some_and(|d| d >= from && d <= to)))
        .collect();
    Ok(std::iter::once(parent)
        .chain(children.iter().map(String::as_str))
        .map(|u| {
            let mut p = crate::plan::indicators::Parts::default();
            for a in atoms.iter().filter(|a| a.county.starts_with(u)) {
                p.numerator = p.numerator.saturating_add(a.numerator);
                p.record_count += 1;
            }
            (u.to_owned(), p)
        })
        .collect())
}

/// The entries behind the support received by `unit` in `year`, in id order.
pub fn received_records(
    conn: &mut DbConn,
    unit: &str,
    year: i32,
    window: Option<(NaiveDate, NaiveDate)>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<shared::plan::FigureRecord>, ApiError> {
    let mut atoms: Vec<_> = received_atoms(conn, crate::plan::aggregates::Subjects::All)?
        .into_iter()
        .filter(|a| a.year == year && a.county.starts_with(unit))
        .filter(|a| window.is_none_or(|(from, to)| a.day.is_some_and(|d| d >= from && d <= to)))
        .filter(|a| after.is_none_or(|x| a.subject > x.to_string()))
        .collect();
    atoms.sort_by(|a, b| a.subject.cmp(&b.subject));
    atoms.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(atoms
        .into_iter()
        .map(|a| shared::plan::FigureRecord {
            id: a.subject,
            kind: "support_entry".into(),
            county_code: a.county,
            date: a.day,
            label: String::new(),
            person_masked: None,
            id_number_masked: None,
            amount_fen: Some(a.numerator),
            in_numerator: true,
        })
        .collect())
}
