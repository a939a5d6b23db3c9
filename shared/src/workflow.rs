//! The loan subsidy workflow as data: for each status, the steps that leave it, where
//! they lead, the org level and capability a step needs, and the four-eyes rule. The
//! server authorises every step with [`authorise`]; the SPA shows the buttons of
//! [`allowed_actions`], which is the same table read the same way.
//!
//! Who does what:
//!
//! | step       | from                 | to         | level    | capability      | four eyes |
//! |------------|----------------------|------------|----------|-----------------|-----------|
//! | submit     | draft                | submitted  | county   | `write_loans`   |           |
//! | withdraw   | draft, returned      | withdrawn  | county   | `write_loans`   |           |
//! | review     | submitted            | reviewed   | city     | `write_loans`   | yes       |
//! | return     | submitted            | returned   | city     | `write_loans`   | yes       |
//! | approve    | reviewed             | approved   | province | `approve_loans` | yes       |
//! | return     | reviewed             | returned   | province | `approve_loans` | yes       |
//! | resubmit   | returned             | submitted  | county   | `write_loans`   |           |
//! | disburse   | approved             | disbursed  | county   | `write_loans`   | yes       |
//!
//! The county that applied records the payment: the subsidy is paid out locally, from
//! the city's allocation, once the province has approved it. "Four eyes" means the user
//! who took the application's previous step may not take this one. The fields of an
//! application may be edited by the county while it is a draft or returned.

use crate::auth::Capability;
use crate::employment::{LoanActionKind, LoanStatus};

crate::string_enum! {
    /// The level of the org tree a user works at, from their scope.
    pub enum OrgLevel {
        /// A county-level unit (6-digit region code).
        County = "county",
        /// A city or prefecture (4-digit region code).
        City = "city",
        /// The province, or a department of the provincial DPF.
        Province = "province",
    }
}

impl OrgLevel {
    /// The level of a scope's region code: 6 digits a county, 4 a city, else the province.
    pub fn of_region(region: &str) -> Self {
        match region.len() {
            6 => Self::County,
            4 => Self::City,
            _ => Self::Province,
        }
    }
}

/// One step of a workflow and who may take it; a workflow is a table of these, and
/// [`authorise_in`] reads any such table the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S: 'static, A: 'static> {
    /// The status the record must be in.
    pub from: S,
    /// The step.
    pub action: A,
    /// The status it (normally) leads to.
    pub to: S,
    /// The level the user must work at.
    pub level: OrgLevel,
    /// The capability the user's roles must grant.
    pub capability: Capability,
    /// Four eyes: the user who took the previous step may not take this one.
    pub four_eyes: bool,
}

/// One step of the loan workflow.
pub type LoanTransition = Transition<LoanStatus, LoanActionKind>;

/// A row of a workflow table.
pub const fn step<S: Copy, A: Copy>(
    from: S,
    action: A,
    to: S,
    level: OrgLevel,
    capability: Capability,
    four_eyes: bool,
) -> Transition<S, A> {
    Transition {
        from,
        action,
        to,
        level,
        capability,
        four_eyes,
    }
}

/// The loan workflow: every allowed step. A (status, action) pair appears at most once.
pub const LOAN_WORKFLOW: &[LoanTransition] = {
    use Capability::{ApproveLoans, WriteLoans};
    use LoanActionKind as A;
    use LoanStatus as S;
    use OrgLevel::{City, County, Province};
    &[
        step(S::Draft, A::Submit, S::Submitted, County, WriteLoans, false),
        step(
            S::Draft,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteLoans,
            false,
        ),
        step(S::Submitted, A::Review, S::Reviewed, City, WriteLoans, true),
        step(S::Submitted, A::Return, S::Returned, City, WriteLoans, true),
        step(
            S::Reviewed,
            A::Approve,
            S::Approved,
            Province,
            ApproveLoans,
            true,
        ),
        step(
            S::Reviewed,
            A::Return,
            S::Returned,
            Province,
            ApproveLoans,
            true,
        ),
        step(
            S::Returned,
            A::Resubmit,
            S::Submitted,
            County,
            WriteLoans,
            false,
        ),
        step(
            S::Returned,
            A::Withdraw,
            S::Withdrawn,
            County,
            WriteLoans,
            false,
        ),
        step(
            S::Approved,
            A::Disburse,
            S::Disbursed,
            County,
            WriteLoans,
            true,
        ),
    ]
};

/// The statuses in which the application's fields may be edited.
pub const LOAN_EDITABLE: &[LoanStatus] = &[LoanStatus::Draft, LoanStatus::Returned];
/// The level that edits (and creates) applications.
pub const LOAN_EDIT_LEVEL: OrgLevel = OrgLevel::County;
/// The capability that edits (and creates) applications.
pub const LOAN_EDIT_CAPABILITY: Capability = Capability::WriteLoans;

/// The user asking, as far as a workflow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    /// The level the user works at.
    pub level: OrgLevel,
    /// What the user's roles allow.
    pub capabilities: &'a [Capability],
    /// Whether the user took the record's latest step (created, submitted, …).
    pub took_previous_step: bool,
}

/// The user asking about a loan application.
pub type LoanCaller<'a> = Caller<'a>;

/// Why a step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such step from the application's status.
    InvalidTransition,
    /// The step belongs to another level.
    WrongLevel(OrgLevel),
    /// The user's roles lack the capability.
    MissingCapability(Capability),
    /// The user took the previous step.
    FourEyes,
}

/// The step `action` from `status` in `table`, if `caller` may take it.
pub fn authorise_in<S: Copy + PartialEq, A: Copy + PartialEq>(
    table: &'static [Transition<S, A>],
    status: S,
    action: A,
    caller: &Caller<'_>,
) -> Result<&'static Transition<S, A>, Refusal> {
    let t = table
        .iter()
        .find(|t| t.from == status && t.action == action)
        .ok_or(Refusal::InvalidTransition)?;
    if caller.level != t.level {
        return Err(Refusal::WrongLevel(t.level));
    }
    if !caller.capabilities.contains(&t.capability) {
        return Err(Refusal::MissingCapability(t.capability));
    }
    if t.four_eyes && caller.took_previous_step {
        return Err(Refusal::FourEyes);
    }
    Ok(t)
}

/// The steps `caller` may take from `status` in `table`, in the table's order.
pub fn allowed_in<S: Copy + PartialEq, A: Copy + PartialEq>(
    table: &'static [Transition<S, A>],
    status: S,
    caller: &Caller<'_>,
) -> Vec<A> {
    table
        .iter()
        .filter(|t| t.from == status && authorise_in(table, status, t.action, caller).is_ok())
        .map(|t| t.action)
        .collect()
}

/// The statuses of `table` in which a user at `level` with `capabilities` has a step to
/// take: what "waiting for me" means for that user (the four-eyes rule aside, which
/// depends on each record's history).
pub fn waiting_in<S: Copy + PartialEq, A>(
    table: &'static [Transition<S, A>],
    level: OrgLevel,
    capabilities: &[Capability],
) -> Vec<S> {
    let mut v: Vec<S> = Vec::new();
    for t in table {
        if t.level == level && capabilities.contains(&t.capability) && !v.contains(&t.from) {
            v.push(t.from);
        }
    }
    v
}

/// The step `action` from `status`, if `caller` may take it.
pub fn authorise(
    status: LoanStatus,
    action: LoanActionKind,
    caller: &LoanCaller<'_>,
) -> Result<&'static LoanTransition, Refusal> {
    authorise_in(LOAN_WORKFLOW, status, action, caller)
}

/// The steps `caller` may take on an application in `status`, in the table's order.
pub fn allowed_actions(status: LoanStatus, caller: &LoanCaller<'_>) -> Vec<LoanActionKind> {
    allowed_in(LOAN_WORKFLOW, status, caller)
}

/// The statuses in which a user at `level` with `capabilities` has a step to take on a
/// loan application.
pub fn waiting_statuses(level: OrgLevel, capabilities: &[Capability]) -> Vec<LoanStatus> {
    waiting_in(LOAN_WORKFLOW, level, capabilities)
}

/// Whether `caller` may edit the fields of an application in `status`.
pub fn may_edit(status: LoanStatus, caller: &LoanCaller<'_>) -> bool {
    LOAN_EDITABLE.contains(&status)
        && caller.level == LOAN_EDIT_LEVEL
        && caller.capabilities.contains(&LOAN_EDIT_CAPABILITY)
}

#[cfg(test)]
mod waiting_tests {
    use super::*;

    #[test]
    fn each_level_waits_for_its_own_steps() {
        use Capability::*;
        assert_eq!(
            waiting_statuses(OrgLevel::City, &[WriteLoans]),
            vec![LoanStatus::Submitted]
        );
        assert_eq!(
            waiting_statuses(OrgLevel::Province, &[ApproveLoans, WriteLoans]),
            vec![LoanStatus::Reviewed]
        );
        let county = waiting_statuses(OrgLevel::County, &[WriteLoans]);
        assert!(county.contains(&LoanStatus::Draft));
        assert!(county.contains(&LoanStatus::Returned));
        assert!(county.contains(&LoanStatus::Approved));
        assert!(!county.contains(&LoanStatus::Submitted));
        assert!(waiting_statuses(OrgLevel::City, &[ReadPersons]).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn caller(level: OrgLevel, role: Role, previous: bool) -> LoanCaller<'static> {
        LoanCaller {
            level,
            capabilities: role.capabilities(),
            took_previous_step: previous,
        }
    }

    #[test]
    fn each_pair_appears_once_and_final_states_are_final() {
        for (i, a) in LOAN_WORKFLOW.iter().enumerate() {
            for b in &LOAN_WORKFLOW[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{a:?}");
            }
        }
        for s in [LoanStatus::Disbursed, LoanStatus::Withdrawn] {
            assert!(LOAN_WORKFLOW.iter().all(|t| t.from != s), "{s} is final");
        }
    }

    #[test]
    fn each_step_belongs_to_one_level() {
        use LoanActionKind as A;
        use OrgLevel::*;
        let county = caller(County, Role::Staff, false);
        let city = caller(City, Role::Staff, false);
        let province = caller(Province, Role::Employment, false);
        assert_eq!(
            allowed_actions(LoanStatus::Draft, &county),
            vec![A::Submit, A::Withdraw]
        );
        assert!(allowed_actions(LoanStatus::Draft, &city).is_empty());
        assert!(allowed_actions(LoanStatus::Draft, &province).is_empty());
        assert_eq!(
            allowed_actions(LoanStatus::Submitted, &city),
            vec![A::Review, A::Return]
        );
        assert!(allowed_actions(LoanStatus::Submitted, &county).is_empty());
        assert_eq!(
            allowed_actions(LoanStatus::Reviewed, &province),
            vec![A::Approve, A::Return]
        );
        assert_eq!(
            authorise(
                LoanStatus::Reviewed,
                A::Approve,
                &caller(Province, Role::Leader, false)
            ),
            Err(Refusal::MissingCapability(Capability::ApproveLoans))
        );
        assert_eq!(
            allowed_actions(LoanStatus::Returned, &county),
            vec![A::Resubmit, A::Withdraw]
        );
        assert_eq!(
            allowed_actions(LoanStatus::Approved, &county),
            vec![A::Disburse]
        );
        assert!(allowed_actions(LoanStatus::Approved, &province).is_empty());
        assert_eq!(
            authorise(LoanStatus::Returned, A::Submit, &county),
            Err(Refusal::InvalidTransition)
        );
        assert!(may_edit(LoanStatus::Returned, &county));
        assert!(!may_edit(LoanStatus::Submitted, &county));
        assert!(!may_edit(LoanStatus::Draft, &city));
    }

    #[test]
    fn four_eyes() {
        use LoanActionKind as A;
        let same = caller(OrgLevel::County, Role::Employment, true);
        assert_eq!(
            authorise(LoanStatus::Approved, A::Disburse, &same),
            Err(Refusal::FourEyes)
        );
        let same_city = caller(OrgLevel::City, Role::Staff, true);
        assert!(allowed_actions(LoanStatus::Submitted, &same_city).is_empty());
        // The applicant's own side continues its own steps.
        assert_eq!(
            allowed_actions(
                LoanStatus::Draft,
                &caller(OrgLevel::County, Role::Staff, true)
            ),
            vec![A::Submit, A::Withdraw]
        );
        assert_eq!(OrgLevel::of_region("430381"), OrgLevel::County);
        assert_eq!(OrgLevel::of_region("4303"), OrgLevel::City);
        assert_eq!(OrgLevel::of_region("43"), OrgLevel::Province);
    }
}
