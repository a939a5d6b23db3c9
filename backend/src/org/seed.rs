//! Loading of the org tree and address data on first start.

use diesel::prelude::*;
use shared::OrgUnitKind;

use crate::db::schema::{org_units, towns, villages};
use crate::db::{write_tx, DbConn};
use crate::error::ApiError;

const CITIES: &str = include_str!("../../seed/cities.csv");
const COUNTIES: &str = include_str!("../../seed/counties.csv");
const TOWNS: &str = include_str!("../../seed/towns.csv");
const VILLAGES: &str = include_str!("../../seed/villages.csv");

/// The provincial DPF's departments named in the 2020 plan: code, Chinese, English.
pub const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "party_committee",
        "省残联机关党委",
        "Party Committee of the DPF's organs",
    ),
    (
        "poverty_office",
        "省残联扶贫办",
        "Poverty Alleviation Office",
    ),
    (
        "org_personnel",
        "省残联组织人事部",
        "Organisation and Personnel Dept",
    ),
    (
        "working_committee",
        "省政府残工委秘书处",
        "Secretariat of the Disability Working Committee",
    ),
    (
        "data_update_office",
        "省残联动态更新办",
        "Office for the dynamic update of needs data",
    ),
    (
        "education_employment",
        "省残联教就部",
        "Education and Employment Dept",
    ),
    (
        "employment_centre",
        "省残联就业服务中心",
        "Employment Service Centre",
    ),
    (
        "publicity_culture",
        "省残联宣文基部",
        "Publicity, Culture and Grassroots Dept",
    ),
    ("rehabilitation", "省残联康复部", "Rehabilitation Dept"),
    (
        "assistive_devices",
        "省残联辅具中心",
        "Assistive Devices Centre",
    ),
    ("rights", "省残联维权部", "Rights Protection Dept"),
    ("general_office", "省残联办公室", "General Office"),
];

/// The org-unit code of a provincial department.
pub fn department_code(dept: &str) -> String {
    format!("43.{dept}")
}

fn rows(
    csv_text: &'static str,
) -> impl Iterator<Item = Result<(String, String, Option<String>), ApiError>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes())
        .into_records()
        .map(|r| {
            let r = r.map_err(|e| ApiError::Internal(e.into()))?;
            Ok((
                r.get(0).unwrap_or_default().to_owned(),
                r.get(1).unwrap_or_default().to_owned(),
                r.get(2).map(str::to_owned),
            ))
        })
}

/// Loads the org tree and address data unless already present. Idempotent.
pub fn load(conn: &mut DbConn) -> Result<(), ApiError> {
    let present: i64 = org_units::table.count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    write_tx(conn, |conn| {
        let unit = |code: &str,
                    name: &str,
                    name_en: Option<&str>,
                    kind: OrgUnitKind,
                    parent: Option<&str>,
                    region: &str| {
            (
                org_units::code.eq(code.to_owned()),
                org_units::name.eq(name.to_owned()),
                org_units::name_en.eq(name_en.map(str::to_owned)),
                org_units::kind.eq(kind.as_str()),
                org_units::parent_code.eq(parent.map(str::to_owned)),
                org_units::region_code.eq(region.to_owned()),
            )
        };
        let mut units = vec![unit(
            "43",
            "湖南省",
            Some("Hunan Province"),
            OrgUnitKind::Province,
            None,
            "43",
        )];
        for (code, zh, en) in DEPARTMENTS {
            units.push(unit(
                &department_code(code),
                zh,
                Some(en),
                OrgUnitKind::Department,
                Some("43"),
                "43",
            ));
        }
        for r in rows(CITIES) {
            let (code, name, _) = r?;
            units.push(unit(
                &code,
                &name,
                None,
                OrgUnitKind::City,
                Some("43"),
                &code,
            ));
        }
        for r in rows(COUNTIES) {
            let (code, name, city) = r?;
            units.push(unit(
                &code,
                &name,
                None,
                OrgUnitKind::County,
                city.as_deref(),
                &code,
            ));
        }
        for chunk in units.chunks(500) {
            crate::db::batch_insert!(conn, org_units::table, chunk)?;
        }
        let towns_rows: Vec<_> = rows(TOWNS)
            .map(|r| {
                r.map(|(c, n, p)| {
                    (
                        towns::code.eq(c),
                        towns::name.eq(n),
                        towns::county_code.eq(p.unwrap_or_default()),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        for chunk in towns_rows.chunks(1000) {
            crate::db::batch_insert!(conn, towns::table, chunk)?;
        }
        let village_rows: Vec<_> = rows(VILLAGES)
            .map(|r| {
                r.map(|(c, n, p)| {
                    (
                        villages::code.eq(c),
                        villages::name.eq(n),
                        villages::town_code.eq(p.unwrap_or_default()),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        // SQLite allows 32,766 bound parameters per statement: 3 × 5,000 stays well below.
        for chunk in village_rows.chunks(5000) {
            crate::db::batch_insert!(conn, villages::table, chunk)?;
        }
        tracing::info!(
            units = units.len(),
            towns = towns_rows.len(),
            villages = village_rows.len(),
            "loaded the org tree and address data"
        );
        Ok(())
    })
}
