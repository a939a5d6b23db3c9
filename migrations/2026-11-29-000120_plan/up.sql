-- Issue 11: the plan as data. A year's plan, its measures and their responsible units,
-- indicators (computed by a module or reported by hand), targets per unit and period
-- (absent = no target, never zero), milestones and their deliveries, hand-reported
-- values, the period reports of the approval workflow, the snapshots frozen at approval,
-- and lock exceptions. Periods are text: '2020' or '2020Q1'.
--
-- No foreign key points at org_units from the seeded tables (the org tree is loaded
-- after the migrations, on first start) nor at attachments (a later migration may need
-- to rebuild that table); the code checks both.

CREATE TABLE plans (
    year INTEGER PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    document_date DATE NOT NULL,
    status TEXT NOT NULL,
    entry_deadline DATE,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK (status IN ('draft', 'active', 'closed')),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (version >= 1)
);

CREATE TABLE plan_measures (
    plan_year INTEGER NOT NULL REFERENCES plans (year),
    number INTEGER NOT NULL,
    section INTEGER NOT NULL,
    short_zh TEXT NOT NULL,
    short_en TEXT NOT NULL,
    text_zh TEXT NOT NULL,
    local_dpfs BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (plan_year, number),
    CHECK (number BETWEEN 1 AND 99),
    CHECK (section BETWEEN 1 AND 9),
    CHECK (version >= 1)
);

-- A provincial department (org unit '43.<code>') responsible for a measure.
CREATE TABLE measure_units (
    plan_year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    unit_code TEXT NOT NULL,
    part TEXT NOT NULL,
    PRIMARY KEY (plan_year, number, unit_code),
    FOREIGN KEY (plan_year, number) REFERENCES plan_measures (plan_year, number),
    CHECK (part IN ('lead', 'co'))
);

CREATE TABLE indicators (
    code TEXT PRIMARY KEY NOT NULL,
    plan_year INTEGER NOT NULL,
    measure INTEGER NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    aggregation TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    computation TEXT,
    position INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    FOREIGN KEY (plan_year, measure) REFERENCES plan_measures (plan_year, number),
    CHECK (kind IN ('distinct_persons', 'distinct_households', 'sum_fen', 'count', 'ratio', 'milestone')),
    CHECK (source IN ('computed', 'reported')),
    CHECK (aggregation IN ('sum', 'ratio_of_sums')),
    CHECK (period_kind IN ('year', 'quarter')),
    CHECK ((kind = 'ratio') = (aggregation = 'ratio_of_sums')),
    CHECK ((source = 'computed') = (computation IS NOT NULL)),
    CHECK (version >= 1)
);
CREATE INDEX indicators_plan ON indicators (plan_year, position);

CREATE TABLE targets (
    indicator TEXT NOT NULL REFERENCES indicators (code),
    unit_code TEXT NOT NULL,
    period TEXT NOT NULL,
    value BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TIMESTAMP NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (indicator, unit_code, period),
    CHECK (value BETWEEN 0 AND 10000000000000),
    CHECK (length(period) IN (4, 6)),
    CHECK (version >= 1)
);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY NOT NULL,
    plan_year INTEGER NOT NULL REFERENCES plans (year),
    measure INTEGER,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    due DATE NOT NULL,
    deliverer TEXT NOT NULL,
    receiver TEXT NOT NULL,
    CHECK (deliverer IN ('departments', 'cities', 'counties', 'province'))
);
CREATE INDEX milestones_plan ON milestones (plan_year, due);

CREATE TABLE milestone_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    milestone_id TEXT NOT NULL REFERENCES milestones (id),
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    period TEXT NOT NULL,
    attachment_id TEXT,
    note TEXT NOT NULL,
    create_hash TEXT,
    submitted_at TIMESTAMP NOT NULL,
    submitted_by TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (length(period) IN (4, 6))
);
CREATE INDEX milestone_submissions_milestone ON milestone_submissions (milestone_id, unit_code);

CREATE TABLE reported_values (
    indicator TEXT NOT NULL REFERENCES indicators (code),
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    period TEXT NOT NULL,
    value BIGINT NOT NULL,
    evidence_id TEXT,
    note TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (indicator, unit_code, period),
    CHECK (value BETWEEN 0 AND 10000000000000),
    CHECK (length(period) IN (4, 6)),
    CHECK (version >= 1)
);
CREATE INDEX reported_values_period ON reported_values (indicator, period, unit_code);

CREATE TABLE period_reports (
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    last_action TEXT,
    acted_by TEXT,
    acted_at TIMESTAMP,
    reason TEXT,
    approved_by TEXT,
    approved_at TIMESTAMP,
    version BIGINT NOT NULL,
    PRIMARY KEY (unit_code, period),
    CHECK (status IN ('open', 'submitted', 'accepted', 'returned', 'approved')),
    CHECK (last_action IN ('submit', 'accept', 'return', 'approve', 'unapprove')),
    CHECK (length(period) IN (4, 6)),
    CHECK (version >= 1)
);

-- The figures frozen when a unit's period was approved.
CREATE TABLE report_snapshots (
    indicator TEXT NOT NULL REFERENCES indicators (code),
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    period TEXT NOT NULL,
    value BIGINT,
    numerator BIGINT NOT NULL,
    denominator BIGINT,
    computed_at TIMESTAMP NOT NULL,
    record_count BIGINT NOT NULL,
    PRIMARY KEY (indicator, unit_code, period)
);

CREATE TABLE lock_exceptions (
    id TEXT PRIMARY KEY NOT NULL,
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    period TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    until DATE NOT NULL,
    CHECK (length(period) IN (4, 6))
);
CREATE INDEX lock_exceptions_unit ON lock_exceptions (unit_code, period);

-- The 2020 plan: 《2020年全省残联决战决胜残疾人脱贫攻坚工作措施》 of the provincial DPF,
-- 2020-02-27 (text as republished by the Xiangxiang city DPF).

INSERT INTO plans (year, title, document_date, status, entry_deadline, version, updated_at, updated_by) VALUES (2020, '2020年全省残联决战决胜残疾人脱贫攻坚工作措施', '2020-02-27', 'active', NULL, 1, '2020-02-27 00:00:00', 'seed');

INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 1, 1, '深入学习贯彻习近平总书记关于扶贫工作的重要论述', 'Political study', '深入学习贯彻习近平总书记关于扶贫工作的重要论述。各级残联党组理论学习中心组每季度至少1次集中学习习近平总书记关于脱贫攻坚的指示、批示和讲话精神,学习党中央国务院和省委省政府的有关重要会议、重要文件。各级残联基层党支部要通过主题党日、集中培训、学习讲堂、专题辅导等方式组织干部职工进行学习,引导党员干部强化“首倡之地必有首倡之为”的担当和作风,保持残联系统善始善终、善作善成的攻坚定力,确保残疾人脱贫攻坚不误大局、不拖后腿。(责任单位:省残联机关党委;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 2, 1, '夯实脱贫攻坚责任', 'Responsibility', '夯实脱贫攻坚责任。各级残联主要负责人为残疾人脱贫攻坚工作第一责任人,分管领导为主要责任人,各有关业务部(科、股)室、直属单位负责人为直接责任人。省、市、县残联至少向党委政府专题汇报一次残疾人脱贫攻坚工作情况、存在的困难问题和对策建议,每季度至少组织研究部署一次残疾人脱贫攻坚工作,全年至少举办一期残疾人扶贫工作业务培训班。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 3, 1, '强化基层残联作用', 'Grassroots DPFs', '强化基层残联作用。加快推进残联改革和基层残疾人组织建设,通过多种方式加强基层残疾人工作力量,推动落实乡村残疾人工作者待遇,提高为贫困残疾人服务的能力和水平。协调卫生健康、财政等部门,尽力采取上门服务、减免费用等措施,为有意愿且符合残疾评定标准的贫困残疾人及时办理残疾人证,同时加强残疾人证的换证和清理工作。(责任单位:省残联组织人事部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 4, 1, '发挥党员干部带头作用', 'Cadres lead', '发挥党员干部带头作用。指导帮扶村建强党组织,开展学雷锋志愿服务等活动。残联系统每名干部职工自主联系至少1户建档立卡残疾人家庭(附件1),了解扶贫和惠残政策落实情况,提供力所能及的帮扶。(责任单位:省残联机关党委;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 5, 2, '发挥好残工委议事协调职能', 'Working committee', '发挥好残工委议事协调职能。适时召开政府残工委会议,分析研究残疾人脱贫攻坚情况,安排部署残疾人脱贫攻坚工作,推动市、县脱贫攻坚领导小组及时研究残疾人脱贫攻坚工作。做好与相关单位沟通协调工作,配合完成相关数据的调取、比对工作。(责任单位:省政府残工委秘书处;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 6, 2, '全面排查整改突出问题', 'Rectify problems', '全面排查整改突出问题。协调、配合统计、扶贫部门,在脱贫攻坚普查工作中将贫困残疾人作为重点对象加以安排。聚焦“三落实、三精准、三保障”,各级残联全面梳理脱贫攻坚问题,列出清单,加以整改,逐项对账销号,做到“问题清零”。认真做好2019年市县党委和政府脱贫攻坚成效考核后续工作,持续跟进整改。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 7, 2, '摸清摸准未脱贫残疾人底数', 'Know who is still poor', '摸清摸准未脱贫残疾人底数。结合大数据比对筛查,抓好残疾人基本服务状况和需求信息数据动态更新工作。利用信息采集机会,组织惠残政策宣传,摸排5.1万未脱贫残疾人“两不愁、三保障”及惠残政策落实情况。及时将问题台账及数据报告同级党委政府,一户一策落实脱贫措施。(责任单位:省残联动态更新办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 8, 2, '做好贫困残疾人社会保障工作', 'Social security', '做好贫困残疾人社会保障工作。与扶贫、教育、民政、卫健、医保、住建等部门开展数据比对,推动贫困残疾人教育、低保、医保、养老保险、特困人员救助供养、临时救助等综合保障政策落实,确保符合条件的残疾人应保尽保、应兜尽兜、应救尽救。协助做好2020年残疾人“两项补贴”重点民生实事项目。建立走访探视制度,高度关注受新冠肺炎、重大灾情、重大疾病等因素影响可能存在返贫风险的残疾人口,及时掌握情况,协调相关部门,采取必要应对措施。推动将贫困残疾人纳入“户帮户亲帮亲,互助脱贫奔小康”行动,动员社会力量予以重点帮扶。(责任单位:省残联教就部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 9, 2, '做好贫困重度残疾人照护服务工作', 'Care for the severely disabled', '做好贫困重度残疾人照护服务工作。配合民政、财政等部门,落实《关于转发民政部等部委关于在脱贫攻坚中做好贫困重度残疾人照护服务工作的通知》精神,抓好利用现有社会福利机构开展贫困重度残疾人集中照护服务试点工作。为3000名符合条件的建档立卡残疾人提供托养服务。(责任单位:省残联教就部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 10, 2, '突出“扶贫扶志”和脱贫成效宣传', 'Publicity', '突出“扶贫扶志”和脱贫成效宣传。制定相关措施,组织专门力量,省市县三级同步组织实施,宣传党的十八大以来残疾人扶贫工作的成效和经验,展示残疾人脱贫成果、自强自立风采,推出一批残疾人脱贫致富和助残扶贫先进典型,争取在重大典型选树和推广上有新的突破。(责任单位:省残联宣文基部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 11, 2, '建立巩固脱贫成效长效机制', 'Keep people out of poverty', '建立巩固脱贫成效长效机制。加强对返贫残疾人口、贫困边缘残疾人口以及重度残疾、一户多残、老残一体等特殊困难残疾人家庭的动态监测,及时将返贫和新发生贫困残疾人纳入帮扶范围,采取措施防止返贫和新的致贫。与相关部门沟通衔接,研究制定巩固贫困残疾人脱贫成效及防止返贫工作措施和保障机制,争取将解决残疾人相对贫困的长效机制纳入乡村振兴战略统筹实施安排。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 12, 3, '实施连千村帮万户扶贫工程', 'Thousand villages, ten thousand households', '实施连千村帮万户扶贫工程。将驻村扶贫与连千村帮万户扶贫工程结合实施,全省残联系统联系不少于140个村,重点抓好各类特惠普惠助残政策落实、残疾人兴业增收、助残长效机制建立等工作。9月底前,市州残联全面梳理2013年开展连千村帮万户扶贫工程以来的工作情况,总结经验,挖掘典型。(责任单位:省残联教就部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 13, 3, '强化农村残疾人就业帮扶', 'Rural employment', '强化农村残疾人就业帮扶。实施农村残疾人职业技能培训、促进残疾人转移就业、服务残疾人居家灵活就业、鼓励残疾人自主创业、助盲就业、落实就业创业优惠政策等帮扶举措,助推农村残疾人就业。出台《关于扶持残疾人自主就业创业的实施意见》。继续开展残疾人就业扶贫示范基地创建。实施阳光增收计划,对不少于5000名建档立卡残疾人开展实用技术或职业技能培训,扶持发展生产。安排不少于300万元的贷款贴息资金,扶持残疾人创业和就业扶贫基地发展。(责任单位:省残联教就部、就业服务中心;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 14, 3, '实施残疾人康复与辅具服务扶贫行动', 'Rehabilitation and assistive devices', '实施残疾人康复与辅具服务扶贫行动。康复资金、康复服务向深度贫困地区倾斜,“启聪扶贫计划、肢体残疾人矫治手术、成人助听计划、低视力康复”等项目优先满足建档立卡残疾人需求,力争实现有需求的建档立卡残疾人基本康复服务与基本辅助器具适配服务率达100%。(责任单位:省残联康复部、辅具中心;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 15, 3, '实施家庭无障碍改造计划', 'Home accessibility retrofits', '实施家庭无障碍改造计划。联合相关部门,动员社会力量,在残疾人危房改造、易地搬迁工作中同步做好家庭无障碍改造,力争有无障碍改造需求的建档立卡重度残疾人家庭全覆盖。(责任单位:省残联维权部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 16, 3, '抓好“携手奔小康”和东西部扶贫协作', 'Paired support', '抓好“携手奔小康”和东西部扶贫协作。继续指定长沙市等14个市县区残联、倡导其它有条件的市县级残联结对帮扶11个深度贫困县残联。协调推进东西部扶贫协作,做好济南市残联对口帮扶湘西州残联工作。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 17, 3, '推动落实消费扶贫政策', 'Consumption support', '推动落实消费扶贫政策。各级残联(含下属单位,下同)要落实政府采购政策支持脱贫攻坚的要求,自有食堂预留采购农副产品总额的20%以上(51个扶贫开发重点县市区残联预留50%以上),用于采购51个扶贫开发重点县(市、区)农副产品。各级残联的工会节日福利品,优先采购贫困县、残疾人就业扶贫基地、阳光致富带头人(示范户)的农副产品。指导符合条件的残疾人就业扶贫基地农产品纳入消费扶贫线上政府采购平台。市州残联开展残疾人农副产品展销展示平台建设,至少举办1场残疾人创业扶贫特产展销及线上线下一体化宣传推广。(责任单位:省残联办公室、机关党委;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 18, 3, '加强扶贫领域信访问题处理', 'Petitions', '加强扶贫领域信访问题处理。加强涉贫舆情处置,及时主动回应社会关切,推动问题化解。建立信访工作台账,及时、全部办结上级交办、省长信箱、理事长信箱、红网问政等扶贫信访事项,做到有记录、有回复、有跟踪。加强惠残法律政策宣传,推动惠残法律政策的贯彻落实。(责任单位:省残联维权部;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 19, 3, '做好残疾人脱贫攻坚总结', 'Summing up', '做好残疾人脱贫攻坚总结。全面系统梳理党的十八大以来残疾人扶贫工作的经验做法,收集残疾人脱贫攻坚的有关文稿、视频、图片、声像资料,多渠道、多形式宣传残疾人脱贫攻坚理论成果、实践成就,展示全省残疾人、残疾人工作者的时代作为。继续开展残疾人阳光致富典型评选活动,激发贫困残疾人脱贫致富内生动力。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 20, 4, '抓好扶贫领域腐败和作风问题治理', 'Corruption and conduct', '抓好扶贫领域腐败和作风问题治理。利用明查暗访和联系建档立卡残疾人家庭的机会,认真查找在扶贫项目和扶贫资金中的违纪违法、弄虚作假、优亲厚友和不作为、乱作为等问题线索,对扶贫领域存在的“四个意识”不强、责任担当不够、作风漂浮、纪律涣散、工作不实的单位和个人,对残疾人反映强烈的问题,对损害残疾人利益的行为,及时移交纪检监察部门查处。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 21, 4, '做好扶贫项目资金的使用和管理', 'Funds', '做好扶贫项目资金的使用和管理。加强与财政部门的沟通衔接,争取更多资金投入残疾人脱贫攻坚项目。及时下拨资金,做好资金使用的绩效评价。省残联按因素法分配的资金和项目,对深度贫困县提高15%的比例。(责任单位:省残联办公室及各业务部门;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO plan_measures (plan_year, number, section, short_zh, short_en, text_zh, local_dpfs, version, updated_at, updated_by) VALUES (2020, 22, 4, '加强工作督导', 'Supervision', '加强工作督导。省残联对脱贫任务重、未脱贫残疾人较多的10个县(市)由会领导蹲点督战(附件3)。省残联有蹲点督战任务的部室和直属单位主要负责人,利用业务工作机会,围绕“两不愁三保障”基本要求和惠残政策落实,采取“四不两直”的方式,至少对非蹲点县进行一次明查暗访。加强与省脱贫攻坚常态化联点督查组的沟通衔接,将残疾人脱贫情况及惠残政策落实纳入督查范围。(责任单位:省残联扶贫办;各市、县级残联)', TRUE, 1, '2020-02-27 00:00:00', 'seed');

INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 1, '43.party_committee', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 2, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 3, '43.org_personnel', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 4, '43.party_committee', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 5, '43.working_committee', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 6, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 7, '43.data_update_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 8, '43.education_employment', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 9, '43.education_employment', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 10, '43.publicity_culture', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 11, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 12, '43.education_employment', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 13, '43.education_employment', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 13, '43.employment_centre', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 14, '43.rehabilitation', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 14, '43.assistive_devices', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 15, '43.rights', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 16, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 17, '43.general_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 17, '43.party_committee', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 18, '43.rights', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 19, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 20, '43.poverty_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.general_office', 'lead');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.education_employment', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.employment_centre', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.rehabilitation', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.assistive_devices', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.rights', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.publicity_culture', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.data_update_office', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 21, '43.org_personnel', 'co');
INSERT INTO measure_units (plan_year, number, unit_code, part) VALUES (2020, 22, '43.poverty_office', 'lead');

INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('trained_poor_persons', 2020, 13, '建档立卡残疾人实用技术或职业技能培训人数', 'Registered-poor disabled persons trained', 'distinct_persons', 'computed', 'sum', 'year', 'training.trained_poor_persons', 10, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('loan_subsidy_fen', 2020, 13, '残疾人创业和就业扶贫基地贷款贴息资金（分）', 'Loan interest subsidies committed (fen)', 'sum_fen', 'computed', 'sum', 'year', 'loans.subsidy_committed_fen', 20, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('rehab_service_rate', 2020, 14, '有需求的建档立卡残疾人基本康复服务率', 'Basic rehabilitation service rate of registered-poor persons in need', 'ratio', 'computed', 'ratio_of_sums', 'year', 'rehab.service_rate', 30, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('device_fitting_rate', 2020, 14, '有需求的建档立卡残疾人基本辅助器具适配率', 'Basic assistive device fitting rate of registered-poor persons in need', 'ratio', 'computed', 'ratio_of_sums', 'year', 'rehab.fitting_rate', 40, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('retrofit_coverage', 2020, 15, '有需求的建档立卡重度残疾人家庭无障碍改造覆盖率', 'Home accessibility retrofit coverage of registered-poor severely disabled households in need', 'ratio', 'computed', 'ratio_of_sums', 'year', 'retrofits.coverage', 50, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('care_persons', 2020, 9, '建档立卡残疾人托养服务人数', 'Registered-poor disabled persons given care services', 'distinct_persons', 'computed', 'sum', 'year', 'care.persons_served', 60, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('villages_linked', 2020, 12, '残联系统联系村数（连千村帮万户）', 'Villages linked by the DPF system', 'count', 'reported', 'sum', 'year', NULL, 70, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('study_sessions', 2020, 1, '党组理论学习中心组集中学习次数', 'Party group study sessions', 'count', 'reported', 'sum', 'quarter', NULL, 80, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('government_reports', 2020, 2, '向党委政府专题汇报次数', 'Reports to the party committee and government', 'count', 'reported', 'sum', 'year', NULL, 90, 1, '2020-02-27 00:00:00', 'seed');
INSERT INTO indicators (code, plan_year, measure, name_zh, name_en, kind, source, aggregation, period_kind, computation, position, version, updated_at, updated_by) VALUES ('sales_fairs', 2020, 17, '残疾人创业扶贫特产展销会场数', 'Sales fairs of products of disabled entrepreneurs', 'count', 'reported', 'sum', 'year', NULL, 100, 1, '2020-02-27 00:00:00', 'seed');

-- The province's targets for 2020 (the plan's numbers); cities' and counties' are split from them.
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('trained_poor_persons', '43', '2020', 5000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('loan_subsidy_fen', '43', '2020', 300000000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('rehab_service_rate', '43', '2020', 10000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('device_fitting_rate', '43', '2020', 10000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('retrofit_coverage', '43', '2020', 10000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('care_persons', '43', '2020', 3000, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('villages_linked', '43', '2020', 140, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('government_reports', '43', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '43', '2020', 14, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('study_sessions', '43', '2020Q1', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('study_sessions', '43', '2020Q2', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('study_sessions', '43', '2020Q3', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('study_sessions', '43', '2020Q4', 1, 'seed', '2020-02-27 00:00:00', 1);
-- At least one sales fair per city.
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4301', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4302', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4303', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4304', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4305', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4306', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4307', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4308', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4309', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4310', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4311', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4312', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4313', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);
INSERT INTO targets (indicator, unit_code, period, value, set_by, set_at, version) VALUES ('sales_fairs', '4331', '2020', 1, 'seed', '2020-02-27 00:00:00', 1);

INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000001', 2020, NULL, '省残联机关各部室、直属单位制定工作方案报省残联扶贫办备案', 'Departments file their work plans with the poverty office', '2020-03-20', 'departments', '43.poverty_office');
INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000002', 2020, NULL, '市州残联报送脱贫攻坚工作成效、经验做法（6月）', 'City DPFs report results and experience (June)', '2020-06-19', 'cities', '43');
INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000003', 2020, NULL, '市州残联报送脱贫攻坚工作成效、经验做法（9月）', 'City DPFs report results and experience (September)', '2020-09-18', 'cities', '43');
INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000004', 2020, NULL, '党组理事会听取机关各部门扶贫工作汇报（6月）', 'The party group hears every departments report (June)', '2020-06-30', 'departments', '43');
INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000005', 2020, NULL, '党组理事会听取机关各部门扶贫工作汇报（9月）', 'The party group hears every departments report (September)', '2020-09-30', 'departments', '43');
INSERT INTO milestones (id, plan_year, measure, title_zh, title_en, due, deliverer, receiver) VALUES ('0193a000-2020-7000-8000-000000000006', 2020, 12, '市州残联梳理2013年以来连千村帮万户工作情况', 'City DPFs review the thousand-villages programme since 2013', '2020-09-30', 'cities', '43');
