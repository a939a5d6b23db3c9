//! KPIs: per unit, rolled up county → city → province, against the plan's targets.

pub mod care;
pub mod employment;
pub mod pairing;
pub mod petitions;
pub mod rehab;
pub mod retrofits;
pub mod routes;

#[cfg(test)]
mod tests;

/// A region's name and its child units (cities of the province, counties of a city; none
/// below a county) as (code, name), in code order: the rows of a KPI table.
pub(crate) fn units_below(
    conn: &mut crate::db::DbConn,
    region: &str,
) -> Result<(String, Vec<(String, String)>), crate::error::ApiError> {
    use crate::db::schema::org_units;
    use diesel::prelude::*;
    let children: Vec<(String, String)> = match region.len() {
        2 | 4 => org_units::table
            .filter(org_units::parent_code.eq(region))
            .filter(org_units::kind.eq_any([
                shared::OrgUnitKind::City.as_str(),
                shared::OrgUnitKind::County.as_str(),
            ]))
            .order(org_units::code.asc())
            .select((org_units::code, org_units::name))
            .load(conn)?,
        _ => Vec::new(),
    };
    let name: String = org_units::table
        .find(region)
        .select(org_units::name)
        .first(conn)?;
    Ok((name, children))
}
