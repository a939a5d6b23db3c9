//! The federation's own duties (measures 17 and 21): the county lists the measures
//! name (the 51 key poverty counties, the 11 deeply poor counties) as data per
//! programme year, canteen purchases of farm produce with the share bought from the key
//! counties, and funds allocated to counties by factors.
//!
//! # The allocation rule (measure 21)
//!
//! A fund of `total_fen` is split among counties by weighted factors:
//!
//! 1. For each factor *f* with weight *w_f* (basis points, the weights add up to
//!    10,000), a county's part is *w_f × x_cf / X_f*, where *x_cf* is the county's value
//!    and *X_f* the sum over all counties. A factor that is 0 everywhere is refused.
//! 2. A county's **score** is the sum of its parts, in units of 10⁻¹² (each part rounded
//!    down);
//!    a deeply poor county's score is raised by `uplift_bp` (1,500 = 15 %, rounded down).
//! 3. Each county gets `floor(total × score / Σ scores)` fen; the fen this leaves over
//!    (fewer than the number of counties) go one each to the counties with the largest
//!    remainders, ties to the lower county code (the largest-remainder method).
//!
//! So the amounts always add up to the fund exactly, and the same inputs always give
//! the same fen. [`allocate`] is the rule; the server and the web app both run it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::validation::{validate_text, FieldError, FieldErrors};

/// The earliest day a record of these ledgers may carry: the programme years start in
/// 2000 (the plan's years run 2000–2100).
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Refuses a day before [`earliest`] or after `today` (field `field`).
fn check_day(errs: &mut FieldErrors, field: &str, day: NaiveDate, today: NaiveDate) {
    if day > today {
        errs.add(field, "in_future", "the day lies in the future");
    } else if day < earliest() {
        errs.add(field, "too_early", "a day from 2000 on");
    }
}

crate::string_enum! {
    /// A list of counties that a measure names.
    pub enum CountyList {
        /// The 51 key counties of poverty alleviation (扶贫开发重点县), whose produce
        /// canteens buy (measure 17).
        KeyPoverty = "key_poverty",
        /// The 11 deeply poor counties (深度贫困县), which get 15 % more of funds
        /// allocated by factors (measure 21) and are paired with supporting DPFs
        /// (measure 16).
        DeeplyPoor = "deeply_poor",
    }
}

/// `GET /api/v1/county-lists/{year}/{list}`: the counties on a list in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyListView {
    /// Programme year.
    pub year: i32,
    /// Which list.
    pub list: CountyList,
    /// County codes, ascending.
    pub counties: Vec<String>,
}

/// Body of `PUT /api/v1/county-lists/{year}/{list}`: the whole list, replacing the
/// year's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyListPut {
    /// County codes (6 digits, Hunan), without repeats.
    pub counties: Vec<String>,
    /// Why it changes (the document that sets the list).
    pub reason: String,
}

/// Most counties on a list (Hunan has 122 county-level divisions, and some more codes).
pub const MAX_LIST: usize = 200;

// ------------------------------------------------------------------------------------
// Canteen purchases (measure 17)

/// The share of a canteen's farm-produce purchases that must come from the key poverty
/// counties, in basis points: 20 %, and 50 % for the DPFs of those counties.
pub const SHARE_THRESHOLD_BP: i64 = 2_000;
/// The threshold for the DPF of a key poverty county.
pub const SHARE_THRESHOLD_KEY_BP: i64 = 5_000;
/// How far below its threshold a unit is amber rather than red (5 percentage points).
pub const AMBER_MARGIN_BP: i64 = 500;
/// Largest single purchase accepted: 10 million yuan, far above any canteen's.
pub const MAX_PURCHASE_FEN: i64 = 1_000_000_000;

/// A canteen purchase of farm produce as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseInput {
    /// Day of the purchase (not in the future).
    pub purchased_on: NaiveDate,
    /// Supplier (a company, a cooperative, a base or a farmer).
    pub supplier: String,
    /// The county the produce comes from (6 digits, Hunan); none: outside Hunan.
    #[serde(default)]
    pub origin_county_code: Option<String>,
    /// Amount paid, in fen (more than 0).
    pub amount_fen: i64,
    /// Bought from a poverty-alleviation base (扶贫基地) or a Sunshine demonstration
    /// household.
    #[serde(default)]
    pub from_poverty_base: bool,
    /// Bought as holiday goods for the staff (工会节日福利品).
    #[serde(default)]
    pub holiday: bool,
    /// What was bought.
    #[serde(default)]
    pub goods: Option<String>,
}

impl PurchaseInput {
    /// Checks every field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "purchased_on", self.purchased_on, today);
        if self.supplier.trim().is_empty() {
            errs.add("supplier", "required", "name the supplier");
        } else {
            errs.check("supplier", validate_text(self.supplier.trim(), 100));
        }
        if let Some(c) = self.origin_county_code.as_deref() {
            errs.check(
                "origin_county_code",
                crate::codes::validate_admin_code(c.trim(), 6, None),
            );
        }
        if self.amount_fen <= 0 {
            errs.add("amount_fen", "not_positive", "the amount must be above 0");
        } else if self.amount_fen > MAX_PURCHASE_FEN {
            errs.add(
                "amount_fen",
                "above_maximum",
                "at most 10,000,000 yuan for one purchase",
            );
        }
        if let Some(g) = &self.goods {
            errs.check("goods", validate_text(g, 200));
        }
        errs.into_result(())
    }
}

/// A canteen purchase as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Purchase {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The DPF whose canteen bought (its region code: `43` the provincial DPF, a city's
    /// 4 digits, a county's 6).
    pub unit_code: String,
    /// The fields.
    #[serde(flatten)]
    pub fields: PurchaseInput,
    /// Whether the origin county is on the key poverty list of the purchase's year.
    pub from_key_county: bool,
    /// When recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// Body of `POST /api/v1/purchases`: a purchase of the caller's own DPF's canteen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseCreate {
    /// Client-chosen id (retries are answered with the record, see the write protocol).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: PurchaseInput,
}

/// Body of `PUT /api/v1/purchases/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseUpdate {
    /// The version last seen.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: PurchaseInput,
}

crate::string_enum! {
    /// Traffic light of a share against its threshold.
    pub enum Light {
        /// At or above the threshold.
        Green = "green",
        /// Below it by at most [`AMBER_MARGIN_BP`].
        Amber = "amber",
        /// Further below.
        Red = "red",
        /// Nothing bought yet: no share.
        None = "none",
    }
}

/// The light of `share_bp` (none without purchases) against `threshold_bp`.
pub fn light(share_bp: Option<i64>, threshold_bp: i64) -> Light {
    match share_bp {
        None => Light::None,
        Some(s) if s >= threshold_bp => Light::Green,
        Some(s) if s >= threshold_bp - AMBER_MARGIN_BP => Light::Amber,
        Some(_) => Light::Red,
    }
}

/// A share as a ratio of sums in basis points, rounded down; none when nothing was
/// bought. Never overflows: the product is taken in 128 bits.
pub fn share_bp(part_fen: i64, total_fen: i64) -> Option<i64> {
    if total_fen <= 0 {
        return None;
    }
    let bp = i128::from(part_fen.max(0)) * 10_000 / i128::from(total_fen);
    Some(i64::try_from(bp).unwrap_or(i64::MAX))
}

/// Purchases of one set of canteens in a year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseSums {
    /// Purchases recorded.
    pub purchases: i64,
    /// All farm produce bought, fen.
    pub total_fen: i64,
    /// Of it, from the key poverty counties, fen.
    pub key_county_fen: i64,
    /// `key_county_fen ÷ total_fen` in basis points (ratio of the sums), none without
    /// purchases.
    pub share_bp: Option<i64>,
    /// Of all, from poverty-alleviation bases, fen.
    pub poverty_base_fen: i64,
    /// Holiday goods, fen.
    pub holiday_fen: i64,
    /// Holiday goods from the poor counties or from bases, fen.
    pub holiday_poor_fen: i64,
}

/// Measure 17's figures of one DPF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsumptionRow {
    /// Region code of the DPF.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// Whether it is the DPF of a key poverty county (threshold 50 %).
    pub key_county: bool,
    /// Its own canteen's purchases.
    pub own: PurchaseSums,
    /// Its threshold, basis points.
    pub threshold_bp: i64,
    /// Its own share against its threshold.
    pub light: Light,
    /// All canteens in its area (itself and the DPFs below it), as one ratio of sums.
    pub area: PurchaseSums,
}

/// `GET /api/v1/kpi/consumption`: a unit and the units below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsumptionKpi {
    /// Programme year.
    pub year: i32,
    /// Whether the year has a key poverty county list (without one nothing counts as
    /// from a key county).
    pub list_set: bool,
    /// The unit.
    pub total: ConsumptionRow,
    /// Its cities or counties.
    pub children: Vec<ConsumptionRow>,
}

// ------------------------------------------------------------------------------------
// Funds by factors (measure 21)

crate::string_enum! {
    /// A factor of the allocation rule, counted from the registry per county.
    pub enum Factor {
        /// Registered-poor (建档立卡) disabled persons.
        RegisteredPoor = "registered_poor",
        /// Of them, not yet out of poverty.
        NotLifted = "not_lifted",
        /// Registered-poor persons with a severe (level 1 or 2) disability.
        Severe = "severe",
        /// Households with a home accessibility retrofit case (need found, not
        /// cancelled).
        RetrofitNeed = "retrofit_need",
    }
}

/// A factor and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weight {
    /// The factor.
    pub factor: Factor,
    /// Its weight in basis points (the weights add up to 10,000).
    pub weight_bp: i64,
}

/// The default uplift of deeply poor counties: 15 % (measure 21).
pub const DEFAULT_UPLIFT_BP: i64 = 1_500;
/// Largest fund: 10 billion yuan.
pub const MAX_FUND_FEN: i64 = 1_000_000_000_000;
/// The unit of scores: parts of 10¹².
pub const SCORE_SCALE: i128 = 1_000_000_000_000;

crate::string_enum! {
    /// Where an allocation stands.
    pub enum AllocationStatus {
        /// Computed, may be recomputed and adjusted.
        Draft = "draft",
        /// Approved by a provincial leader: final, spending may be recorded.
        Approved = "approved",
    }
}

/// A fund allocation as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationInput {
    /// Programme year (its deeply poor county list applies).
    pub year: i32,
    /// Title of the fund (e.g. "2020年残疾人康复项目资金").
    pub title: String,
    /// The provincial department whose fund it is (`43.rehabilitation` …).
    pub department_code: String,
    /// The fund, fen.
    pub total_fen: i64,
    /// The factors and weights.
    pub weights: Vec<Weight>,
    /// The uplift of deeply poor counties, basis points (default 1,500).
    #[serde(default = "default_uplift")]
    pub uplift_bp: i64,
}

fn default_uplift() -> i64 {
    DEFAULT_UPLIFT_BP
}

impl AllocationInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        if !(2000..=2100).contains(&self.year) {
            errs.add("year", "invalid_year", "a year between 2000 and 2100");
        }
        if self.title.trim().is_empty() {
            errs.add("title", "required", "the fund needs a title");
        } else {
            errs.check("title", validate_text(self.title.trim(), 100));
        }
        if !self.department_code.starts_with("43.") {
            errs.add(
                "department_code",
                "unknown_unit",
                "a department of the provincial DPF",
            );
        }
        if self.total_fen <= 0 {
            errs.add("total_fen", "not_positive", "the fund must be above 0");
        } else if self.total_fen > MAX_FUND_FEN {
            errs.add("total_fen", "above_maximum", "at most 10 billion yuan");
        }
        if !(0..=10_000).contains(&self.uplift_bp) {
            errs.add("uplift_bp", "out_of_range", "between 0 and 100 %");
        }
        check_weights(&self.weights, &mut errs);
        errs.into_result(())
    }
}

fn check_weights(weights: &[Weight], errs: &mut FieldErrors) {
    if weights.is_empty() {
        errs.add("weights", "required", "give at least one factor");
        return;
    }
    let mut seen = Vec::new();
    let mut sum: i64 = 0;
    for w in weights {
        if seen.contains(&w.factor) {
            errs.add("weights", "duplicate", "each factor once");
            return;
        }
        seen.push(w.factor);
        if !(1..=10_000).contains(&w.weight_bp) {
            errs.add(
                "weights",
                "out_of_range",
                "each weight between 0.01 and 100 %",
            );
            return;
        }
        sum += w.weight_bp;
    }
    if sum != 10_000 {
        errs.add(
            "weights",
            "weights_not_whole",
            format!(
                "the weights add up to {}, not 100 %",
                crate::money::format_hundredths(sum)
            ),
        );
    }
}

/// Body of `POST /api/v1/funds/allocations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: AllocationInput,
}

/// Body of `POST /api/v1/funds/allocations/{id}/compute`: change the fields of a draft
/// and compute it again from the registry as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationRecompute {
    /// The version last seen.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: AllocationInput,
}

/// One county's amount set by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustedAmount {
    /// County.
    pub county_code: String,
    /// Its amount, fen.
    pub amount_fen: i64,
}

/// Body of `POST /api/v1/funds/allocations/{id}/adjust`: set counties' amounts by hand.
/// The amounts after the change must still add up to the fund exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationAdjust {
    /// The version last seen.
    pub version: i64,
    /// The counties whose amounts change.
    pub amounts: Vec<AdjustedAmount>,
    /// Why.
    pub reason: String,
}

/// Body of `POST /api/v1/funds/allocations/{id}/approve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationApprove {
    /// The version last seen.
    pub version: i64,
    /// Why (the meeting or document that decided it).
    pub reason: String,
}

/// One county of an allocation, with its working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationLine {
    /// County.
    pub county_code: String,
    /// Its name.
    pub county_name: String,
    /// Its factor values, in the order of the allocation's weights.
    pub values: Vec<i64>,
    /// Whether it was on the deeply poor list (uplifted).
    pub deeply_poor: bool,
    /// Its score before the uplift (parts of 10¹²).
    pub base_score: i64,
    /// Its score after the uplift.
    pub score: i64,
    /// What the rule gives it, fen.
    pub computed_fen: i64,
    /// What it gets after any adjustment, fen.
    pub amount_fen: i64,
    /// Why it was adjusted, if it was.
    pub adjust_reason: Option<String>,
    /// Spent so far, fen (approved allocations).
    pub spent_fen: i64,
}

/// A fund allocation as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FundAllocation {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: AllocationInput,
    /// Draft or approved.
    pub status: AllocationStatus,
    /// The factors' totals over all counties, in the order of the weights.
    pub factor_totals: Vec<i64>,
    /// When the registry was counted.
    pub computed_at: chrono::DateTime<chrono::Utc>,
    /// Who approved it, and why.
    pub approved_by: Option<String>,
    /// When.
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The approval's reason.
    pub approve_reason: Option<String>,
    /// The counties (those in the caller's area), by code.
    pub lines: Vec<AllocationLine>,
}

/// A county's inputs to [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyFactors {
    /// County code.
    pub county_code: String,
    /// Values, in the order of the weights.
    pub values: Vec<i64>,
    /// Whether it gets the uplift.
    pub deeply_poor: bool,
}

/// One county's result of [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// County code.
    pub county_code: String,
    /// Score before the uplift (parts of [`SCORE_SCALE`]).
    pub base_score: i64,
    /// Score after it.
    pub score: i64,
    /// Fen.
    pub amount_fen: i64,
}

/// Why [`allocate`] cannot split a fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocateError {
    /// This factor (by position) is 0 in every county.
    EmptyFactor(usize),
    /// No county has any score.
    NoCounties,
    /// A value is negative or the wrong number of values was given.
    BadValues,
}

/// Splits `total_fen` among `counties` by the rule in the module's documentation.
/// The result is in the order of `counties` and adds up to `total_fen` exactly.
pub fn allocate(
    total_fen: i64,
    weights: &[Weight],
    uplift_bp: i64,
    counties: &[CountyFactors],
) -> Result<Vec<Share>, AllocateError> {
    if counties
        .iter()
        .any(|c| c.values.len() != weights.len() || c.values.iter().any(|v| *v < 0))
    {
        return Err(AllocateError::BadValues);
    }
    let totals: Vec<i128> = (0..weights.len())
        .map(|f| counties.iter().map(|c| i128::from(c.values[f])).sum())
        .collect();
    if let Some(f) = totals.iter().position(|t| *t == 0) {
        return Err(AllocateError::EmptyFactor(f));
    }
    let scores: Vec<(i128, i128)> = counties
        .iter()
        .map(|c| {
            let base: i128 = weights
                .iter()
                .zip(&c.values)
                .zip(&totals)
                .map(|((w, v), t)| {
                    i128::from(w.weight_bp) * i128::from(*v) * SCORE_SCALE / 10_000 / t
                })
                .sum();
            let score = if c.deeply_poor {
                base * (10_000 + i128::from(uplift_bp)) / 10_000
            } else {
                base
            };
            (base, score)
        })
        .collect();
    let sum: i128 = scores.iter().map(|s| s.1).sum();
    if sum == 0 {
        return Err(AllocateError::NoCounties);
    }
    let total = i128::from(total_fen);
    let mut amounts: Vec<i128> = scores.iter().map(|s| total * s.1 / sum).collect();
    let given: i128 = amounts.iter().sum();
    let mut order: Vec<usize> = (0..counties.len()).collect();
    // Largest remainder first; ties to the lower county code.
    order.sort_by(|a, b| {
        let (ra, rb) = (total * scores[*a].1 % sum, total * scores[*b].1 % sum);
        rb.cmp(&ra)
            .then_with(|| counties[*a].county_code.cmp(&counties[*b].county_code))
    });
    let left = usize::try_from(total - given).unwrap_or(0);
    for i in order.into_iter().take(left) {
        amounts[i] += 1;
    }
    Ok(counties
        .iter()
        .zip(scores)
        .zip(amounts)
        .map(|((c, (base, score)), amount)| Share {
            county_code: c.county_code.clone(),
            base_score: i64::try_from(base).unwrap_or(i64::MAX),
            score: i64::try_from(score).unwrap_or(i64::MAX),
            amount_fen: i64::try_from(amount).unwrap_or(i64::MAX),
        })
        .collect())
}

/// Body of `POST /api/v1/funds/spending`: money spent from a county's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendingCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The approved allocation.
    pub allocation_id: Uuid,
    /// The county whose share it is spent from.
    pub county_code: String,
    /// Day spent (not in the future).
    pub spent_on: NaiveDate,
    /// Amount, fen (more than 0; the county's spending may not exceed its amount).
    pub amount_fen: i64,
    /// On what (project, persons served).
    pub purpose: String,
}

impl SpendingCreate {
    /// Checks the fields that need no database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        errs.check(
            "county_code",
            crate::codes::validate_admin_code(self.county_code.trim(), 6, None),
        );
        check_day(&mut errs, "spent_on", self.spent_on, today);
        if self.amount_fen <= 0 {
            errs.add("amount_fen", "not_positive", "the amount must be above 0");
        } else if self.amount_fen > MAX_FUND_FEN {
            errs.add("amount_fen", "above_maximum", "at most 10 billion yuan");
        }
        if self.purpose.trim().is_empty() {
            errs.add("purpose", "required", "say what it was spent on");
        } else {
            errs.check("purpose", validate_text(self.purpose.trim(), 200));
        }
        errs.into_result(())
    }
}

/// Money spent from an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spending {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The allocation.
    pub allocation_id: Uuid,
    /// County.
    pub county_code: String,
    /// Day spent.
    pub spent_on: NaiveDate,
    /// Amount, fen.
    pub amount_fen: i64,
    /// On what.
    pub purpose: String,
    /// When recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One row of the performance table: an allocation's money in one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceRow {
    /// The allocation.
    pub allocation_id: Uuid,
    /// Its title.
    pub title: String,
    /// Its department.
    pub department_code: String,
    /// The unit (the caller's area, or one of its cities or counties).
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// Allocated, fen.
    pub allocated_fen: i64,
    /// Spent, fen.
    pub spent_fen: i64,
    /// `spent ÷ allocated` in basis points, none when nothing was allocated.
    pub rate_bp: Option<i64>,
}

/// `GET /api/v1/funds/performance`: spent against allocated, per approved allocation
/// of the year, for the caller's unit (or the one asked for) and the units below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Performance {
    /// Programme year.
    pub year: i32,
    /// The unit.
    pub unit_code: String,
    /// Per allocation: the unit's total row first, then a row per child unit.
    pub rows: Vec<PerformanceRow>,
}

// ------------------------------------------------------------------------------------
// Village links (measure 12, 连千村帮万户)

/// Villages the DPF system is to link (measure 12).
pub const VILLAGES_TARGET: i64 = 140;

/// A DPF unit's link with a village, as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageLinkInput {
    /// The village (12 digits, from the shipped codes), in the caller's area.
    pub village_code: String,
    /// Linked from.
    pub from_on: NaiveDate,
    /// Linked until (none: still linked).
    #[serde(default)]
    pub to_on: Option<NaiveDate>,
    /// Households helped so far.
    #[serde(default)]
    pub households_helped: i64,
    /// What the link is about.
    #[serde(default)]
    pub note: Option<String>,
}

impl VillageLinkInput {
    /// Checks every field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        errs.check(
            "village_code",
            crate::codes::validate_admin_code(self.village_code.trim(), 12, None),
        );
        check_day(&mut errs, "from_on", self.from_on, today);
        if self.to_on.is_some_and(|t| t < self.from_on) {
            errs.add("to_on", "before_start", "the link ends before it starts");
        } else if self.to_on.is_some_and(|t| t.year() > 2100) {
            errs.add("to_on", "out_of_range", "a day up to 2100");
        }
        if !(0..=100_000).contains(&self.households_helped) {
            errs.add("households_helped", "out_of_range", "0 to 100,000");
        }
        if let Some(n) = &self.note {
            errs.check("note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

/// An activity in a linked village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkActivityInput {
    /// Day.
    pub on_day: NaiveDate,
    /// What was done.
    pub what: String,
    /// Money given, fen.
    #[serde(default)]
    pub money_fen: i64,
    /// Goods given.
    #[serde(default)]
    pub goods: Option<String>,
}

impl LinkActivityInput {
    /// Checks every field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "on_day", self.on_day, today);
        if self.what.trim().is_empty() {
            errs.add("what", "required", "say what was done");
        } else {
            errs.check("what", validate_text(self.what.trim(), 500));
        }
        if !(0..=MAX_PURCHASE_FEN).contains(&self.money_fen) {
            errs.add("money_fen", "out_of_range", "0 to 10,000,000 yuan");
        }
        if let Some(g) = &self.goods {
            errs.check("goods", validate_text(g, 200));
        }
        errs.into_result(())
    }
}

/// Body of `POST /api/v1/village-links/{id}/activities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkActivityCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: LinkActivityInput,
}

/// An activity as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkActivity {
    /// Record id.
    pub id: Uuid,
    /// The fields.
    #[serde(flatten)]
    pub fields: LinkActivityInput,
}

/// A village link as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageLink {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The linking DPF unit (`43.education_employment`, `4303`, `430381` …).
    pub unit_code: String,
    /// Its region (where the link counts).
    pub unit_region: String,
    /// The fields.
    #[serde(flatten)]
    pub fields: VillageLinkInput,
    /// The village's name, town and county.
    pub village_name: String,
    /// The village's county.
    pub county_code: String,
    /// Activities, by day.
    pub activities: Vec<LinkActivity>,
    /// Money given in all activities, fen.
    pub money_fen: i64,
}

/// Body of `POST /api/v1/village-links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageLinkCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: VillageLinkInput,
}

/// Body of `PUT /api/v1/village-links/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageLinkUpdate {
    /// The version last seen.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: VillageLinkInput,
}

/// Measure 12's figures of one unit in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillagesRow {
    /// Region code.
    pub unit_code: String,
    /// Name.
    pub unit_name: String,
    /// Distinct villages linked in the year by the DPFs of its area (a village linked
    /// by two units counts once).
    pub villages: i64,
    /// Links in force in the year.
    pub links: i64,
    /// Households helped (added over the links).
    pub households_helped: i64,
    /// Money given in the year's activities, fen.
    pub money_fen: i64,
    /// Its target of villages, if set (the province's: 140).
    pub target: Option<i64>,
}

/// `GET /api/v1/kpi/villages`: a unit and the units below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillagesKpi {
    /// Programme year.
    pub year: i32,
    /// The unit.
    pub total: VillagesRow,
    /// Its cities or counties.
    pub children: Vec<VillagesRow>,
}

// ------------------------------------------------------------------------------------
// Paired support (measure 16, 携手奔小康)

/// A pairing of a supporting DPF with a supported one, as the poverty office keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportPairInput {
    /// The supporting DPF: a city or county of Hunan (region code), or none for one
    /// outside the province (then `supporter_name`, e.g. 济南市残联).
    #[serde(default)]
    pub supporter_code: Option<String>,
    /// The supporting DPF's name when it lies outside Hunan.
    #[serde(default)]
    pub supporter_name: Option<String>,
    /// The supported DPF: a deeply poor county, or a prefecture (湘西州, 4331).
    pub supported_code: String,
    /// First programme year of the pairing.
    pub from_year: i32,
    /// Last programme year (none: open).
    #[serde(default)]
    pub to_year: Option<i32>,
}

impl SupportPairInput {
    /// Checks the fields that need no database.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        match (
            self.supporter_code.as_deref(),
            self.supporter_name.as_deref(),
        ) {
            (Some(c), None) => {
                if !(c.starts_with("43")
                    && matches!(c.len(), 4 | 6)
                    && c.bytes().all(|b| b.is_ascii_digit()))
                {
                    errs.add(
                        "supporter_code",
                        "invalid_format",
                        "a city's 4 or a county's 6 digits",
                    );
                }
            }
            (None, Some(n)) if !n.trim().is_empty() => {
                errs.check("supporter_name", validate_text(n.trim(), 100));
            }
            _ => errs.add(
                "supporter_code",
                "required",
                "name the supporting DPF: a code in Hunan, or a name outside it",
            ),
        }
        let s = self.supported_code.trim();
        if !(s.starts_with("43")
            && matches!(s.len(), 4 | 6)
            && s.bytes().all(|b| b.is_ascii_digit()))
        {
            errs.add(
                "supported_code",
                "invalid_format",
                "a city's 4 or a county's 6 digits",
            );
        }
        if !(2000..=2100).contains(&self.from_year) {
            errs.add("from_year", "invalid_year", "a year between 2000 and 2100");
        }
        if self.to_year.is_some_and(|t| t < self.from_year || t > 2100) {
            errs.add(
                "to_year",
                "before_start",
                "the last year comes before the first",
            );
        }
        errs.into_result(())
    }
}

/// A pairing as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportPair {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: SupportPairInput,
    /// The supporter's display name.
    pub supporter: String,
    /// The supported DPF's name.
    pub supported: String,
}

/// Body of `POST /api/v1/support-pairs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportPairCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: SupportPairInput,
}

crate::string_enum! {
    /// What support was given.
    pub enum SupportKind {
        /// Money (fen).
        Money = "money",
        /// Goods (their value in fen).
        Goods = "goods",
        /// A project (its value in fen).
        Project = "project",
        /// A visit or exchange.
        Visit = "visit",
    }
}

/// Support given under a pairing, as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportInput {
    /// Client-chosen id (absent in answers: a [`Support`] carries its `id` once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The pairing.
    pub pair_id: Uuid,
    /// Day given.
    pub on_day: NaiveDate,
    /// What.
    pub kind: SupportKind,
    /// Its value, fen (0 for a visit).
    #[serde(default)]
    pub amount_fen: i64,
    /// What it was.
    pub description: String,
}

impl SupportInput {
    /// Checks the fields that need no database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        check_day(&mut errs, "on_day", self.on_day, today);
        if !(0..=MAX_FUND_FEN).contains(&self.amount_fen) {
            errs.add("amount_fen", "out_of_range", "0 to 10 billion yuan");
        } else if self.kind == SupportKind::Money && self.amount_fen == 0 {
            errs.add("amount_fen", "not_positive", "money given must be above 0");
        } else if self.kind == SupportKind::Visit && self.amount_fen != 0 {
            errs.add("amount_fen", "not_applicable", "a visit carries no amount");
        }
        if self.description.trim().is_empty() {
            errs.add("description", "required", "say what was given");
        } else {
            errs.check("description", validate_text(self.description.trim(), 500));
        }
        errs.into_result(())
    }
}

/// Support given, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Support {
    /// Record id.
    pub id: Uuid,
    /// The fields.
    #[serde(flatten)]
    pub fields: SupportInput,
}

/// One pairing's support in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairSupportRow {
    /// The pairing.
    pub pair: SupportPair,
    /// Entries in the period.
    pub entries: i64,
    /// Money, fen.
    pub money_fen: i64,
    /// Goods and projects, fen.
    pub in_kind_fen: i64,
    /// Visits.
    pub visits: i64,
    /// Whether nothing was recorded in the period's last quarter (or the period, for a
    /// quarter).
    pub nothing_this_quarter: bool,
}

/// `GET /api/v1/kpi/support`: each pairing in force in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportKpi {
    /// Programme year.
    pub year: i32,
    /// Quarter (1–4), or none for the whole year.
    pub quarter: Option<u32>,
    /// The pairings in the caller's area.
    pub pairs: Vec<PairSupportRow>,
    /// Pairings with nothing recorded in the quarter.
    pub idle_pairs: i64,
}

// ------------------------------------------------------------------------------------
// Publicity and typical cases (measures 10 and 19)

crate::string_enum! {
    /// Where a typical case stands in the selection, city → province.
    pub enum TypicalCaseStatus {
        /// Collected by its unit.
        Collected = "collected",
        /// Selected by its city (or recorded by a city and put forward).
        CitySelected = "city_selected",
        /// Selected by the province.
        ProvinceSelected = "province_selected",
    }
}

crate::string_enum! {
    /// What a case is about.
    pub enum TypicalCaseSubject {
        /// A disabled person of the registry (consent needed before it goes public).
        Person = "person",
        /// An employment base.
        Base = "base",
        /// A DPF's work, a project, a village.
        Work = "work",
    }
}

crate::string_enum! {
    /// A piece of material collected with a case.
    pub enum MediaKind {
        /// A text (article, report).
        Text = "text",
        /// A video.
        Video = "video",
        /// A picture.
        Picture = "picture",
    }
}

/// A piece of material: its kind and where it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Media {
    /// Kind.
    pub kind: MediaKind,
    /// Link (`https://…`).
    pub url: String,
    /// Caption.
    #[serde(default)]
    pub caption: Option<String>,
}

/// Most pieces of material on one case.
pub const MAX_MEDIA: usize = 50;

/// A typical case as a client submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCaseInput {
    /// What it is about.
    pub subject: TypicalCaseSubject,
    /// The person (subject `person`), in the caller's area.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    /// The employment base (subject `base`), in the caller's area.
    #[serde(default)]
    pub base_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// The story.
    pub story: String,
    /// Texts, videos and pictures.
    #[serde(default)]
    pub media: Vec<Media>,
    /// A Sunshine (阳光致富) typical case.
    #[serde(default)]
    pub sunshine: bool,
    /// Day the person consented to publicity (none: no consent recorded).
    #[serde(default)]
    pub consent_on: Option<NaiveDate>,
    /// How the consent was given (signed form, recorded by whom).
    #[serde(default)]
    pub consent_note: Option<String>,
}

impl TypicalCaseInput {
    /// Checks the fields that need no database.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errs = FieldErrors::new();
        match self.subject {
            TypicalCaseSubject::Person if self.person_id.is_none() => {
                errs.add("person_id", "required", "choose the person")
            }
            TypicalCaseSubject::Base if self.base_id.is_none() => {
                errs.add("base_id", "required", "choose the base")
            }
            _ => {}
        }
        if self.subject != TypicalCaseSubject::Person && self.person_id.is_some() {
            errs.add(
                "person_id",
                "not_applicable",
                "only a person's case names a person",
            );
        }
        if self.subject != TypicalCaseSubject::Base && self.base_id.is_some() {
            errs.add(
                "base_id",
                "not_applicable",
                "only a base's case names a base",
            );
        }
        if self.title.trim().is_empty() {
            errs.add("title", "required", "give the case a title");
        } else {
            errs.check("title", validate_text(self.title.trim(), 100));
        }
        if self.story.trim().is_empty() {
            errs.add("story", "required", "tell the story");
        } else {
            errs.check("story", validate_text(self.story.trim(), 10_000));
        }
        if self.media.len() > MAX_MEDIA {
            errs.add("media", "too_many", format!("at most {MAX_MEDIA} pieces"));
        }
        for (i, m) in self.media.iter().enumerate() {
            let u = m.url.trim();
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() <= 500
                && !u.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                errs.add(
                    &format!("media[{i}].url"),
                    "invalid_format",
                    "a web link starting with https://",
                );
            }
            if let Some(c) = &m.caption {
                errs.check(&format!("media[{i}].caption"), validate_text(c, 200));
            }
        }
        if let Some(d) = self.consent_on {
            check_day(&mut errs, "consent_on", d, today);
        }
        if self.consent_on.is_some()
            && self
                .consent_note
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
        {
            errs.add("consent_note", "required", "say how the consent was given");
        }
        if let Some(n) = &self.consent_note {
            errs.check("consent_note", validate_text(n, 500));
        }
        errs.into_result(())
    }
}

/// A typical case as the API shows it. A person's name is masked and no identity
/// number is ever shown unless their consent is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCase {
    /// Record id.
    pub id: Uuid,
    /// Version.
    pub version: i64,
    /// The unit that collected it (region code).
    pub unit_code: String,
    /// The fields.
    #[serde(flatten)]
    pub fields: TypicalCaseInput,
    /// The person's name: in full with recorded consent, masked without.
    pub person_name: Option<String>,
    /// The base's name.
    pub base_name: Option<String>,
    /// Where it stands.
    pub status: TypicalCaseStatus,
}

/// Body of `POST /api/v1/publicity/cases`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCaseCreate {
    /// Client-chosen id.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// The fields.
    #[serde(flatten)]
    pub fields: TypicalCaseInput,
}

/// Body of `PUT /api/v1/publicity/cases/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCaseUpdate {
    /// The version last seen.
    pub version: i64,
    /// The fields.
    #[serde(flatten)]
    pub fields: TypicalCaseInput,
}

/// Body of `POST /api/v1/publicity/cases/{id}/select`: the city selects a case of its
/// area, then the province selects a city's; or either takes its selection back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TypicalCaseSelect {
    /// The version last seen.
    pub version: i64,
    /// Select (true) or take the caller's level's selection back (false).
    pub selected: bool,
}

/// Measures 10 and 19 per unit: cases and material collected, selected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicityRow {
    /// Region code.
    pub unit_code: String,
    /// Name.
    pub unit_name: String,
    /// Cases collected in its area.
    pub cases: i64,
    /// Of them selected by a city (or further).
    pub city_selected: i64,
    /// Of them selected by the province.
    pub province_selected: i64,
    /// Sunshine typical cases.
    pub sunshine: i64,
    /// Texts collected.
    pub texts: i64,
    /// Videos collected.
    pub videos: i64,
    /// Pictures collected.
    pub pictures: i64,
}

/// `GET /api/v1/kpi/publicity`: a unit and the units below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicityKpi {
    /// The unit.
    pub total: PublicityRow,
    /// Its cities or counties.
    pub children: Vec<PublicityRow>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn support_reads_back_as_sent_with_its_id_once() {
        let support = Support {
            id: Uuid::from_u128(7),
            fields: SupportInput {
                id: None,
                pair_id: Uuid::from_u128(8),
                on_day: NaiveDate::from_ymd_opt(2020, 5, 1).unwrap_or_default(),
                kind: SupportKind::Visit,
                amount_fen: 0,
                description: "走访".into(),
            },
        };
        let json = serde_json::to_string(&support).unwrap_or_default();
        assert_eq!(json.matches("\"id\"").count(), 1, "{json}");
        let back: Result<Support, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(support));
    }

    use super::*;

    fn county(code: &str, values: &[i64], deep: bool) -> CountyFactors {
        CountyFactors {
            county_code: code.into(),
            values: values.to_vec(),
            deeply_poor: deep,
        }
    }

    #[test]
    fn one_factor_splits_in_proportion_and_adds_up() {
        let w = [Weight {
            factor: Factor::RegisteredPoor,
            weight_bp: 10_000,
        }];
        let out = allocate(
            100,
            &w,
            0,
            &[county("430101", &[1], false), county("430102", &[2], false)],
        )
        .unwrap_or_default();
        // 100 × 1/3 = 33.33…, 100 × 2/3 = 66.66…: the larger remainder takes the fen.
        let fen: Vec<i64> = out.iter().map(|s| s.amount_fen).collect();
        assert_eq!(fen, vec![33, 67]);
        // Three equal counties: 1 fen left over goes to the lowest code.
        let out = allocate(
            100,
            &w,
            0,
            &[
                county("430103", &[5], false),
                county("430101", &[5], false),
                county("430102", &[5], false),
            ],
        )
        .unwrap_or_default();
        let fen: Vec<i64> = out.iter().map(|s| s.amount_fen).collect();
        assert_eq!(fen, vec![33, 34, 33]);
    }

    #[test]
    fn the_uplift_raises_a_deeply_poor_county_by_fifteen_percent() {
        let w = [Weight {
            factor: Factor::RegisteredPoor,
            weight_bp: 10_000,
        }];
        // Equal values; the deeply poor county scores 1.15 against 1: 215 fen split
        // 115 : 100.
        let out = allocate(
            215,
            &w,
            1_500,
            &[
                county("433122", &[10], true),
                county("430102", &[10], false),
            ],
        )
        .unwrap_or_default();
        assert_eq!(out[0].amount_fen, 115);
        assert_eq!(out[1].amount_fen, 100);
        assert_eq!(out[0].score, out[1].score * 115 / 100);
    }

    #[test]
    fn empty_factors_and_bad_values_are_refused() {
        let w = [
            Weight {
                factor: Factor::RegisteredPoor,
                weight_bp: 5_000,
            },
            Weight {
                factor: Factor::Severe,
                weight_bp: 5_000,
            },
        ];
        assert_eq!(
            allocate(100, &w, 0, &[county("430101", &[3, 0], false)]),
            Err(AllocateError::EmptyFactor(1))
        );
        assert_eq!(
            allocate(100, &w, 0, &[county("430101", &[3], false)]),
            Err(AllocateError::BadValues)
        );
        assert_eq!(
            allocate(100, &w, 0, &[county("430101", &[-1, 2], false)]),
            Err(AllocateError::BadValues)
        );
    }

    #[test]
    fn large_funds_and_many_counties_add_up_exactly() {
        let w = [
            Weight {
                factor: Factor::RegisteredPoor,
                weight_bp: 3_333,
            },
            Weight {
                factor: Factor::NotLifted,
                weight_bp: 3_333,
            },
            Weight {
                factor: Factor::Severe,
                weight_bp: 3_334,
            },
        ];
        let counties: Vec<CountyFactors> = (0..122)
            .map(|i| {
                county(
                    &format!("43{:04}", i + 100),
                    &[i * 7919 % 1000 + 1, i * 31 % 97, i * 13 % 50 + 1],
                    i % 11 == 0,
                )
            })
            .collect();
        for total in [1, 121, 122, 123, 999_999_999_999, MAX_FUND_FEN] {
            let out = allocate(total, &w, 1_500, &counties).unwrap_or_default();
            assert_eq!(out.iter().map(|s| s.amount_fen).sum::<i64>(), total);
            assert!(out.iter().all(|s| s.amount_fen >= 0));
        }
    }

    #[test]
    fn weights_must_make_a_whole() {
        let mut input = AllocationInput {
            year: 2020,
            title: "康复资金".into(),
            department_code: "43.rehabilitation".into(),
            total_fen: 100,
            weights: vec![Weight {
                factor: Factor::Severe,
                weight_bp: 9_000,
            }],
            uplift_bp: DEFAULT_UPLIFT_BP,
        };
        let errs = input.validate().err().unwrap_or_default();
        assert_eq!(errs[0].code, "weights_not_whole");
        input.weights[0].weight_bp = 10_000;
        assert!(input.validate().is_ok());
        input.weights.push(Weight {
            factor: Factor::Severe,
            weight_bp: 1,
        });
        assert_eq!(
            input.validate().err().unwrap_or_default()[0].code,
            "duplicate"
        );
    }

    #[test]
    fn shares_and_lights() {
        assert_eq!(share_bp(1, 3), Some(3_333));
        assert_eq!(share_bp(0, 0), None);
        assert_eq!(share_bp(i64::MAX, i64::MAX), Some(10_000));
        assert_eq!(light(Some(2_000), 2_000), Light::Green);
        assert_eq!(light(Some(1_500), 2_000), Light::Amber);
        assert_eq!(light(Some(1_499), 2_000), Light::Red);
        assert_eq!(light(None, 2_000), Light::None);
    }
}
