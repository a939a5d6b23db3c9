//! Every user-visible string, in Chinese (zh-CN, the default) and English.

use serde::{Deserialize, Serialize};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Translates `key`; an unknown key shows itself, so a gap is visible, not blank.
    pub fn t(self, key: &str) -> String {
        match MESSAGES.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => (if self == Lang::Zh { *zh } else { *en }).to_owned(),
            None => key.to_owned(),
        }
    }

    /// Translates a field error code, falling back to the server's English message.
    pub fn error(self, code: &str, fallback: &str) -> String {
        let key = format!("err.{code}");
        match MESSAGES.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => (if self == Lang::Zh { *zh } else { *en }).to_owned(),
            None => fallback.to_owned(),
        }
    }
}

/// (key, zh-CN, English)
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "湘助", "Xiangzhu"),
    ("app.tagline", "湖南省残疾人脱贫攻坚工作平台", "Hunan DPF programme for disabled people"),
    ("app.skip", "跳到主要内容", "Skip to main content"),
    ("app.loading", "加载中…", "Loading…"),
    ("app.retry", "重试", "Try again"),
    ("app.more", "加载更多", "Load more"),
    ("form.fix_errors", "请更正标出的错误", "Please correct the marked fields"),
    ("form.id_conflict", "此前的一次提交已经保存（内容与现在不同），请先核对列表，避免重复登记；再次保存将新建一条记录", "An earlier attempt was already saved with other content; check the list to avoid a duplicate. Saving again creates a new record"),
    ("picker.label", "查找人员", "Find a person"),
    ("picker.found", "找到人数：", "Persons found:"),
    ("app.language", "语言", "Language"),
    ("app.switch_lang", "English", "中文"),
    ("nav.home", "首页", "Home"),
    ("nav.persons", "残疾人档案", "Registry"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.courses", "培训班", "Training"),
    ("nav.loans", "贷款贴息", "Loan subsidies"),
    ("nav.bases", "就业基地", "Employment bases"),
    ("bases.title", "就业扶贫基地", "Employment bases"),
    ("bases.new", "登记就业基地", "Register a base"),
    ("bases.name", "基地名称", "Name"),
    ("bases.credit_code", "统一社会信用代码", "Unified social credit code"),
    ("bases.kind", "基地类型", "Kind"),
    ("bases.recognised_on", "认定日期", "Recognised on"),
    ("bases.none", "没有就业基地", "No employment bases"),
    ("bases.employees", "残疾职工", "Disabled employees"),
    ("base.poverty_alleviation", "就业扶贫基地", "Poverty-alleviation base"),
    ("base.demonstration", "就业扶贫示范基地", "Demonstration base"),
    ("err.invalid_region", "第3至8位应为行政区划代码", "Characters 3 to 8 are the region code"),
    ("err.duplicate_credit_code", "该信用代码已登记", "This credit code is already registered"),
    ("err.before_start", "早于开始日期", "Before the start"),
    ("err.in_future", "日期晚于今天", "The date lies in the future"),
    ("loans.title", "贷款贴息", "Loan interest subsidy"),
    ("loans.new", "新建贴息申请", "New application"),
    ("loans.none", "没有贴息申请", "No applications"),
    ("loans.subsidy", "贴息金额（元）", "Subsidy (yuan)"),
    ("loans.interest", "利息（元）", "Interest (yuan)"),
    ("loans.capped", "（已按上限）", " (capped)"),
    ("loans.fill_in", "填写本金、利率、期限和放贷日期后显示贴息金额", "Enter principal, rate, term and loan date to see the subsidy"),
    ("loans.choose", "选为申请人", "Choose"),
    ("loans.applicant", "申请人", "Applicant"),
    ("loans.bank", "贷款银行", "Bank"),
    ("loans.principal", "贷款本金（元）", "Principal (yuan)"),
    ("loans.rate", "年利率（%）", "Annual rate (%)"),
    ("loans.term", "期限（月）", "Term (months)"),
    ("loans.date", "放贷日期", "Loan date"),
    ("loans.purpose", "贷款用途", "Purpose"),
    ("loans.status", "状态", "Status"),
    ("loans.approved", "核定贴息（元）", "Approved (yuan)"),
    ("loans.disbursed", "已拨付（元）", "Paid (yuan)"),
    ("loans.amount", "金额（元）", "Amount (yuan)"),
    ("loans.paid_on", "拨付日期", "Payment date"),
    ("loans.reason", "退回理由", "Reason for sending back"),
    ("loans.timeline", "办理记录", "Timeline"),
    ("loan.draft", "草稿", "Draft"),
    ("loan.submitted", "已提交，待市州审核", "Submitted, awaiting the city"),
    ("loan.reviewed", "市州已审核，待省审批", "Reviewed, awaiting the province"),
    ("loan.approved", "已审批，待拨付", "Approved, awaiting payment"),
    ("loan.disbursed", "已拨付", "Paid"),
    ("loan.returned", "已退回", "Sent back"),
    ("loan.withdrawn", "已撤回", "Withdrawn"),
    ("action.submit", "提交", "Submit"),
    ("action.review", "审核通过", "Review"),
    ("action.approve", "审批通过", "Approve"),
    ("action.disburse", "登记拨付", "Record payment"),
    ("action.return", "退回", "Send back"),
    ("action.resubmit", "修改后重新提交", "Resubmit"),
    ("action.withdraw", "撤回申请", "Withdraw"),
    ("loans.not_found", "找不到该申请，或不在您的工作范围内", "No such application in your area"),
    ("loans.edit", "修改申请", "Edit the application"),
    ("loans.reason_optional", "理由（撤回时可选）", "Reason (optional when withdrawing)"),
    ("err.too_large", "金额过大，无法记录", "The amount is too large to be recorded"),
    ("err.above_person_cap", "超出该申请人本年度贴息上限", "Above the applicant's subsidy cap for the year"),
    ("err.not_editable", "只有草稿或已退回的申请可以修改", "Only draft or returned applications can be edited"),
    ("err.above_budget", "各市州分配额将超出年度预算", "The cities' allocations would exceed the year's budget"),
    ("err.below_committed", "低于该市州已审批的金额", "Below what the city has already committed"),
    ("err.below_allocated", "低于已分配给各市州的金额", "Below what was already allocated to the cities"),
    ("err.no_programme_year", "该年度尚未设置贴息计划", "No programme is set up for that year"),
    ("err.before_loan", "拨付日期早于放贷日期", "The payment date lies before the loan"),
    ("err.budget_exceeded", "超出该市州本年度预算", "Beyond the city's budget for the year"),
    ("err.invalid_transition", "当前状态下不能办理此步骤", "This step is not possible now"),
    ("err.above_maximum", "超出可贴息的最高本金", "Above the largest principal that qualifies"),
    ("courses.title", "培训班", "Training courses"),
    ("courses.new", "新建培训班", "New course"),
    ("courses.year", "年度", "Year"),
    ("courses.not_found", "找不到该培训班，或不在您的工作范围内", "No such course in your area"),
    ("courses.none", "本年度没有培训班", "No courses this year"),
    ("courses.enrolled", "在册", "On roster"),
    ("courses.name", "培训班名称", "Course name"),
    ("courses.kind", "培训类型", "Kind"),
    ("courses.venue", "培训地点", "Venue"),
    ("courses.start", "开班日期", "Start date"),
    ("courses.end", "结业日期", "End date"),
    ("courses.places", "计划人数", "Planned places"),
    ("courses.hours", "学时", "Hours"),
    ("courses.trainer", "培训机构或教师", "Trainer"),
    ("courses.funding", "培训经费（元）", "Funding (yuan)"),
    ("courses.roster", "花名册", "Roster"),
    ("courses.export_xlsx", "导出 Excel", "Export Excel"),
    ("courses.export_csv", "导出 CSV", "Export CSV"),
    ("courses.add", "添加学员", "Add a trainee"),
    ("courses.search", "身份证号或姓名", "Identity number or name"),
    ("courses.enrol", "加入花名册", "Enrol"),
    ("courses.mark_completed", "登记结业", "Mark completed"),
    ("courses.mark_dropped", "登记退训", "Mark dropped"),
    ("courses.import", "导入花名册", "Import a roster"),
    ("courses.template", "下载导入模板", "Download the template"),
    ("courses.import_file", "选择 Excel 或 CSV 文件", "Choose an Excel or CSV file"),
    ("kind.practical_technique", "实用技术", "Practical technique"),
    ("kind.vocational_skill", "职业技能", "Vocational skill"),
    ("status.enrolled", "在训", "Enrolled"),
    ("status.completed", "结业", "Completed"),
    ("status.dropped", "退训", "Dropped"),
    ("import.validating", "正在校验", "Checking"),
    ("import.invalid", "校验未通过，未写入任何数据", "Problems found; nothing was written"),
    ("import.valid", "校验通过", "All rows are valid"),
    ("import.committing", "正在写入", "Writing"),
    ("import.committed", "已全部写入", "All rows written"),
    ("import.failed", "写入失败，未写入任何数据", "Writing failed; nothing was written"),
    ("import.errors", "问题数：", "Problems:"),
    ("import.row", "行", "Row"),
    ("import.column", "列", "Column"),
    ("import.problem", "问题", "Problem"),
    ("import.commit", "确认导入", "Import"),
    ("nav.logout", "退出登录", "Log out"),
    ("nav.main", "主导航", "Main navigation"),
    ("login.title", "登录", "Log in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Log in"),
    ("login.failed", "用户名或密码错误，或账号已被锁定、停用", "Wrong username or password, or the account is locked or disabled"),
    ("login.locked", "尝试次数过多，请稍后再试", "Too many attempts; try again later"),
    ("login.session_ended", "登录已过期或已在别处结束，请重新登录", "Your session has ended; please log in again"),
    ("home.title", "工作台", "Workbench"),
    ("home.unit", "所在单位", "Your unit"),
    ("home.scope", "工作范围", "Your area"),
    ("home.can", "您可以：", "You can:"),
    ("cap.read_persons", "查看残疾人档案", "Read the person registry"),
    ("cap.write_persons", "登记和修改残疾人档案", "Register and edit persons"),
    ("cap.reveal_id_number", "查看完整身份证号（需说明理由）", "See full identity numbers (with a reason)"),
    ("cap.read_audit", "查看审计日志", "Read the audit log"),
    ("cap.manage_users", "管理用户", "Manage users"),
    ("cap.read_kpi", "查看工作指标", "See KPIs"),
    ("cap.write_training", "管理培训花名册", "Manage training rosters"),
    ("cap.write_loans", "办理贷款贴息", "Handle loan subsidies"),
    ("cap.approve_loans", "审批贷款贴息、分配预算", "Approve loan subsidies, allocate the budget"),
    ("cap.write_rehab", "登记康复和辅具适配", "Record rehabilitation and device fitting"),
    ("cap.write_retrofits", "办理无障碍改造", "Run accessibility retrofits"),
    ("cap.write_petitions", "登记信访", "Record petitions"),
    ("cap.confirm_grants", "确认数据权限的授予", "Confirm grants of data roles"),
    ("persons.title", "残疾人档案", "Person registry"),
    ("persons.new", "登记新人员", "Register a person"),
    ("persons.search", "查询", "Search"),
    ("persons.reset", "清空条件", "Clear"),
    ("persons.none", "没有符合条件的人员", "No matching persons"),
    ("persons.next", "下一页", "Next page"),
    ("persons.prev", "上一页", "Previous page"),
    ("persons.results", "查询结果", "Results"),
    ("persons.all", "全部", "All"),
    ("persons.any", "不限", "Any"),
    ("persons.yes", "是", "Yes"),
    ("persons.no", "否", "No"),
    ("persons.area", "地区", "Area"),
    ("persons.detail", "人员详情", "Person"),
    ("persons.edit", "修改", "Edit"),
    ("persons.delete", "删除", "Delete"),
    ("persons.delete_confirm", "确定删除该人员档案？", "Delete this entry?"),
    ("persons.deleted", "已删除", "Deleted"),
    ("persons.saved", "已保存", "Saved"),
    ("persons.save", "保存", "Save"),
    ("persons.cancel", "取消", "Cancel"),
    ("persons.reveal", "查看完整号码", "Show full number"),
    ("persons.reveal_reason", "查看理由", "Reason for viewing"),
    ("persons.reveal_submit", "确认查看", "Show"),
    ("persons.conflict", "该档案已被他人修改。下面是最新内容，请核对后重新修改。", "Someone else changed this entry. The newest version is shown below; check it and make your change again."),
    ("persons.not_found", "找不到该人员，或不在您的工作范围内", "No such person in your area"),
    ("field.name", "姓名", "Name"),
    ("field.id_number", "身份证号", "Identity number"),
    ("field.id_number_keep", "身份证号（不修改请留空）", "Identity number (leave empty to keep)"),
    ("field.has_certificate", "持有残疾人证", "Holds a disability certificate"),
    ("field.certificate_number", "残疾人证号", "Certificate number"),
    ("field.sex", "性别", "Sex"),
    ("field.birth_date", "出生日期", "Birth date"),
    ("field.birth_year", "出生年份", "Birth year"),
    ("field.disability_category", "残疾类别", "Disability category"),
    ("field.disability_level", "残疾等级", "Disability level"),
    ("field.phone", "联系电话", "Phone"),
    ("field.city", "市州", "City"),
    ("field.county_code", "县市区", "County"),
    ("field.town_code", "乡镇街道", "Town"),
    ("field.village_code", "村社区", "Village"),
    ("field.address_detail", "详细地址", "Address detail"),
    ("field.household_number", "户编号", "Household number"),
    ("field.household_size", "家庭人口", "Household size"),
    ("field.poverty_status", "贫困状态", "Poverty status"),
    ("field.registered_poor", "建档立卡贫困人口", "On the poverty register"),
    ("field.multi_disabled_household", "一户多残", "Several disabled in household"),
    ("field.elderly_disabled", "老残一体", "Elderly and disabled"),
    ("field.notes", "备注", "Notes"),
    ("field.version", "版本", "Version"),
    ("field.current_password", "当前密码", "Current password"),
    ("field.new_password", "新密码", "New password"),
    ("field.reason", "理由", "Reason"),
    ("field.flags", "重点关注", "Watch flags"),
    ("password.title", "修改密码", "Change password"),
    ("password.done", "密码已修改", "Password changed"),
    ("password.required", "您的密码由管理员设置，请先设置自己的新密码", "An administrator set your password; choose your own before you go on"),
    ("sex.male", "男", "Male"),
    ("sex.female", "女", "Female"),
    ("cat.visual", "视力残疾", "Visual"),
    ("cat.hearing", "听力残疾", "Hearing"),
    ("cat.speech", "言语残疾", "Speech"),
    ("cat.physical", "肢体残疾", "Physical"),
    ("cat.intellectual", "智力残疾", "Intellectual"),
    ("cat.mental", "精神残疾", "Mental"),
    ("cat.multiple", "多重残疾", "Multiple"),
    ("level.1", "一级", "Level 1"),
    ("level.2", "二级", "Level 2"),
    ("level.3", "三级", "Level 3"),
    ("level.4", "四级", "Level 4"),
    ("pov.in_poverty", "未脱贫", "In poverty"),
    ("pov.lifted", "已脱贫", "Lifted out"),
    ("pov.unstable", "脱贫不稳定", "Unstable"),
    ("pov.marginal", "边缘易致贫", "Marginal"),
    ("pov.none", "非贫困", "Not poor"),
    ("err.required", "必填", "Required"),
    ("err.invalid_length", "位数不对：身份证号为18位", "Wrong length: 18 characters"),
    ("err.invalid_characters", "含有无效字符", "Contains invalid characters"),
    ("err.invalid_birth_date", "出生日期不是有效日期", "The birth date is not a real date"),
    ("err.birth_date_in_future", "出生日期晚于今天", "The birth date lies in the future"),
    ("err.invalid_check_character", "校验位不正确，请核对号码", "The check character does not match; check the number"),
    ("err.certificate_id_mismatch", "残疾人证号与身份证号不一致", "The certificate belongs to another identity number"),
    ("err.certificate_category_mismatch", "残疾人证号中的类别与所选类别不一致", "The certificate states another category"),
    ("err.certificate_level_mismatch", "残疾人证号中的等级与所选等级不一致", "The certificate states another level"),
    ("err.invalid_category_digit", "残疾人证号第19位应为类别代码1–7", "The 19th character must be a category digit 1–7"),
    ("err.invalid_level_digit", "残疾人证号第20位应为等级代码1–4", "The 20th character must be a level digit 1–4"),
    ("err.sex_mismatch", "与身份证号不一致", "Does not agree with the identity number"),
    ("err.birth_date_mismatch", "与身份证号不一致", "Does not agree with the identity number"),
    ("err.invalid_phone", "不是有效的手机或固定电话号码", "Not a valid mobile or landline number"),
    ("err.invalid_format", "格式不正确", "Wrong format"),
    ("err.not_in_parent", "不在所选上级区划内", "Not within the chosen parent area"),
    ("err.unknown_code", "区划代码不存在", "No such area code"),
    ("err.outside_scope", "超出您的工作范围", "Outside your area"),
    ("err.town_required", "请先选择乡镇", "Choose the town first"),
    ("err.too_long", "内容过长", "Too long"),
    ("err.too_short", "内容过短", "Too short"),
    ("err.out_of_range", "超出允许范围", "Out of range"),
    ("err.inconsistent", "建档立卡人员的贫困状态不能为“非贫困”", "A registered-poor person cannot be 'not poor'"),
    ("err.unexpected", "未持证时不填证号", "Leave empty without a certificate"),
    ("err.wrong_password", "当前密码不正确", "The current password is wrong"),
    ("err.same_as_current", "新密码不能与当前密码相同", "Choose a password other than the current one"),
    ("err.password_change_required", "请先修改管理员为您设置的密码", "Change the password an administrator set for you first"),
    ("err.stale_version", "该记录已被他人修改，页面已显示最新内容，请核对后重试", "Someone else changed this record; the newest version is shown, check it and try again"),
    ("err.busy", "服务器繁忙，请稍后再试", "The server is busy; try again in a moment"),
    ("err.own_proposal", "授权须由另一人确认，不能确认自己提出的授权", "A grant needs a second person: you cannot confirm your own proposal"),
    ("err.own_account", "不能为自己的账号确认角色", "You cannot confirm roles for your own account"),
    ("err.nothing_pending", "没有待确认的角色", "No roles are waiting for confirmation"),
    ("err.duplicate_id_number", "该身份证号已登记", "This identity number is already registered"),
    ("err.invalid_value", "取值无效", "Invalid value"),
    ("err.network", "网络连接失败，请检查网络后重试", "Network error; check your connection and try again"),
    ("err.forbidden", "您没有此项操作权限", "You are not allowed to do this"),
    ("err.server", "服务器出错，请稍后再试", "Server error; try again later"),
    // Every code of shared::errors::ErrorCode has a text (checked by a test below).
    ("err.account_disabled", "该账号已停用", "This account has been disabled"),
    ("err.already_enrolled", "已在本班花名册中", "Already on this course's roster"),
    ("err.bad_body", "请求内容无法读取", "The request body could not be read"),
    ("err.bad_request", "请求无法处理", "The request could not be handled"),
    ("err.cannot_disable_self", "不能停用自己的账号", "You cannot disable your own account"),
    ("err.concurrent_update", "他人同时修改了此记录，请刷新后重试", "Someone changed this at the same time; reload and try again"),
    ("err.duplicate", "重复", "Duplicate"),
    ("err.duplicate_enrolment", "此人已在本班花名册中", "This person is already on the course's roster"),
    ("err.duplicate_row", "文件中重复出现", "Appears more than once in the file"),
    ("err.duplicate_username", "用户名已被使用", "This username is taken"),
    ("err.file_too_large", "文件过大：最多 100,000 行、64 列", "The file is too large: at most 100,000 rows and 64 columns"),
    ("err.id_conflict", "此编号已被其他记录使用", "This id is already used by another record"),
    ("err.id_number_in_url", "身份证号不能放在网址中", "Identity numbers never go in a URL"),
    ("err.import_not_valid", "只有全部正确的导入才能提交，且只能提交一次", "Only a fully valid import can be committed, once"),
    ("err.internal_error", "服务器内部错误，已记录", "An internal error occurred; it has been logged"),
    ("err.invalid", "无效", "Not valid"),
    ("err.invalid_credentials", "用户名或密码错误，或账号已锁定、停用", "Wrong username or password, or the account is locked or disabled"),
    ("err.invalid_cursor", "分页位置无效，请从第一页开始", "The page position is not valid; start from the first page"),
    ("err.invalid_date", "日期格式应为 2020-06-30", "Dates are written 2020-06-30"),
    ("err.invalid_number", "应为整数", "Must be a whole number"),
    ("err.invalid_outcome", "培训后就业情况无效", "Not a valid training outcome"),
    ("err.invalid_refresh_token", "登录已失效，请重新登录", "The session is no longer valid; log in again"),
    ("err.invalid_status", "状态无效", "Not a valid status"),
    ("err.invalid_token", "登录已失效，请重新登录", "The session is no longer valid; log in again"),
    ("err.invalid_username", "用户名只能包含小写字母、数字、点和下划线", "Usernames use lower-case letters, digits, dots and underscores"),
    ("err.invalid_version", "版本号无效", "Not a valid version number"),
    ("err.invalid_yes_no", "应为“是”或“否”", "Must be 是 or 否 (yes or no)"),
    ("err.links_in_county", "此记录关联了本县的残疾人，不能迁往其他县市区", "This record links persons of its county; it cannot move to another"),
    ("err.malformed_json", "请求格式错误", "The request is not well-formed JSON"),
    ("err.missing_column", "缺少此列", "This column is missing"),
    ("err.missing_token", "请先登录", "Log in first"),
    ("err.name_mismatch", "姓名与档案不一致", "The name differs from the registry"),
    ("err.not_found", "未找到，或不在您的工作范围内", "Not found, or not in your area"),
    ("err.not_in_registry", "在您的工作范围内的残疾人档案中找不到此身份证号", "No person with this identity number in your area's registry"),
    ("err.outside_province", "不在湖南省范围内", "Outside Hunan province"),
    ("err.payload_too_large", "提交的内容过大", "The request is too large"),
    ("err.person_not_in_unit", "此人登记在其他县市区", "This person is registered in another county"),
    ("err.refresh_token_reused", "检测到登录凭据被重复使用，已退出所有会话", "A login token was used twice; every session has been ended"),
    ("err.roster_not_empty", "请先移除花名册中的学员", "Remove the enrolments before deleting the course"),
    ("err.session_ended", "会话已结束，请重新登录", "The session has ended; log in again"),
    ("err.token_expired", "登录已过期，请重新登录", "The login has expired; log in again"),
    ("err.too_many_requests", "尝试次数过多，请稍后再试", "Too many attempts; try again later"),
    ("err.unauthorized", "请先登录", "Log in first"),
    ("err.unavailable", "数据库暂不可用，请稍后再试", "The database is not available; try again"),
    ("err.unreadable", "无法读取此文件", "This file cannot be read"),
    ("err.unsupported_media_type", "请以 JSON 格式提交", "Send the body as JSON"),
    ("err.validation_failed", "有字段填写不正确", "Some fields are not valid"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_both_texts() {
        for code in shared::errors::ErrorCode::ALL {
            let key = format!("err.{}", code.as_str());
            let entry = MESSAGES.iter().find(|(k, _, _)| *k == key);
            assert!(
                entry.is_some_and(|(_, zh, en)| !zh.is_empty() && !en.is_empty()),
                "{key} has no zh-CN and English text"
            );
        }
    }

    #[test]
    fn keys_are_unique_and_complete() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|m| m.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate i18n keys");
        assert!(MESSAGES
            .iter()
            .all(|(_, zh, en)| !zh.is_empty() && !en.is_empty()));
        for c in shared::DisabilityCategory::ALL {
            assert_ne!(Lang::Zh.t(&format!("cat.{c}")), format!("cat.{c}"));
        }
        for p in shared::PovertyStatus::ALL {
            assert_ne!(Lang::En.t(&format!("pov.{p}")), format!("pov.{p}"));
        }
        for c in shared::auth::Capability::ALL {
            assert_ne!(Lang::Zh.t(&format!("cap.{c}")), format!("cap.{c}"));
        }
        for s in shared::employment::LoanStatus::ALL {
            assert_ne!(Lang::Zh.t(&format!("loan.{s}")), format!("loan.{s}"));
        }
        for a in shared::employment::LoanActionKind::ALL {
            assert_ne!(Lang::En.t(&format!("action.{a}")), format!("action.{a}"));
        }
    }
}
