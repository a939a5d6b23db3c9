-- Measure 14: rehabilitation and assistive devices.

-- The GB/T 16432 (= ISO 9999) code list, versioned by edition: classes (2 digits),
-- subclasses (4) and divisions (6). Only the parts the catalogue uses are seeded; the
-- devices centre adds more with the items.
CREATE TABLE device_codes (
    edition TEXT NOT NULL,
    code TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    PRIMARY KEY (edition, code),
    CHECK (length(code) IN (2, 4, 6))
);

CREATE TABLE device_items (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    edition TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    categories TEXT NOT NULL,
    unit TEXT NOT NULL,
    service_life_years INTEGER NOT NULL,
    max_level INTEGER,
    assessment_required BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    FOREIGN KEY (edition, code) REFERENCES device_codes (edition, code),
    CHECK (service_life_years BETWEEN 1 AND 20),
    CHECK (max_level IS NULL OR max_level BETWEEN 1 AND 4)
);
CREATE UNIQUE INDEX device_items_name ON device_items (name_zh);

-- A subsidy cap per unit of an item, per programme year.
CREATE TABLE device_caps (
    item_id TEXT NOT NULL REFERENCES device_items (id),
    year INTEGER NOT NULL,
    cap_fen BIGINT NOT NULL,
    PRIMARY KEY (item_id, year),
    CHECK (year BETWEEN 2000 AND 2100),
    CHECK (cap_fen BETWEEN 0 AND 100000000)
);

CREATE TABLE rehab_needs (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    kind TEXT NOT NULL,
    project TEXT NOT NULL,
    item_id TEXT REFERENCES device_items (id),
    source TEXT NOT NULL,
    identified_on DATE NOT NULL,
    year INTEGER NOT NULL,
    note TEXT,
    status TEXT NOT NULL,
    result TEXT,
    assessed_on DATE,
    assessor TEXT,
    evidence_id TEXT,
    supersedes TEXT REFERENCES rehab_needs (id),
    superseded_by TEXT,
    follow_up_due DATE,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (kind IN ('rehab_medical', 'functional_training', 'device', 'surgery', 'support')),
    CHECK (project IN ('cochlear', 'limb_surgery', 'adult_hearing_aid', 'low_vision', 'child_rehab', 'basic_rehab', 'basic_device')),
    CHECK (source IN ('survey', 'home_visit', 'application', 'referral')),
    CHECK (status IN ('identified', 'assessed', 'plan_approved', 'fitted', 'accepted', 'followed_up', 'closed', 'not_needed', 'refused', 'deferred', 'withdrawn', 'superseded')),
    CHECK (result IS NULL OR result IN ('needed', 'not_needed', 'refused', 'deferred')),
    CHECK ((kind = 'device') = (item_id IS NOT NULL)),
    CHECK (year BETWEEN 2000 AND 2100)
);
CREATE INDEX rehab_needs_county ON rehab_needs (county_code, id);
CREATE INDEX rehab_needs_city ON rehab_needs (city_code, id);
CREATE INDEX rehab_needs_person ON rehab_needs (person_id);
CREATE INDEX rehab_needs_year ON rehab_needs (year, county_code);
CREATE INDEX rehab_needs_due ON rehab_needs (follow_up_due);

-- A device delivered for a need; a refit after a bad fit adds another.
CREATE TABLE device_fittings (
    id TEXT PRIMARY KEY NOT NULL,
    need_id TEXT NOT NULL REFERENCES rehab_needs (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    item_id TEXT NOT NULL REFERENCES device_items (id),
    provider TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    side TEXT NOT NULL,
    unit_price_fen BIGINT NOT NULL,
    cap_fen BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    subsidy_fen BIGINT NOT NULL,
    self_pay_fen BIGINT NOT NULL,
    delivered_on DATE NOT NULL,
    year INTEGER NOT NULL,
    service_until DATE NOT NULL,
    accepted_on DATE,
    accepted_by TEXT,
    guardian_name TEXT,
    evidence_id TEXT,
    replaced BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (quantity BETWEEN 1 AND 20),
    CHECK (side IN ('left', 'right', 'both', 'none')),
    CHECK (accepted_by IS NULL OR accepted_by IN ('person', 'guardian')),
    CHECK (unit_price_fen >= 0 AND cap_fen >= 0),
    CHECK (subsidy_fen >= 0 AND subsidy_fen <= total_fen AND self_pay_fen = total_fen - subsidy_fen)
);
CREATE INDEX device_fittings_need ON device_fittings (need_id);
CREATE INDEX device_fittings_year ON device_fittings (year, county_code);

CREATE TABLE device_follow_ups (
    id TEXT PRIMARY KEY NOT NULL,
    fitting_id TEXT NOT NULL REFERENCES device_fittings (id),
    need_id TEXT NOT NULL REFERENCES rehab_needs (id),
    visited_on DATE NOT NULL,
    result TEXT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (result IN ('in_use', 'not_used', 'needs_repair', 'replace'))
);
CREATE INDEX device_follow_ups_fitting ON device_follow_ups (fitting_id);

CREATE TABLE rehab_need_events (
    id TEXT PRIMARY KEY NOT NULL,
    need_id TEXT NOT NULL REFERENCES rehab_needs (id),
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    CHECK (from_status IS NULL OR from_status IN ('identified', 'assessed', 'plan_approved', 'fitted', 'accepted', 'followed_up', 'closed', 'not_needed', 'refused', 'deferred', 'withdrawn', 'superseded')),
    CHECK (to_status IN ('identified', 'assessed', 'plan_approved', 'fitted', 'accepted', 'followed_up', 'closed', 'not_needed', 'refused', 'deferred', 'withdrawn', 'superseded'))
);
CREATE INDEX rehab_need_events_need ON rehab_need_events (need_id);

CREATE TABLE rehab_episodes (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    need_id TEXT REFERENCES rehab_needs (id),
    county_code TEXT NOT NULL REFERENCES org_units (code),
    city_code TEXT NOT NULL REFERENCES org_units (code),
    institution TEXT NOT NULL,
    project TEXT NOT NULL,
    category TEXT NOT NULL,
    start_on DATE NOT NULL,
    end_on DATE,
    months INTEGER NOT NULL,
    monthly_fen BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    guardian TEXT,
    outcome TEXT,
    continues TEXT REFERENCES rehab_episodes (id),
    year INTEGER NOT NULL,
    create_hash TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at TIMESTAMP,
    deleted_by TEXT,
    CHECK (project IN ('cochlear', 'limb_surgery', 'adult_hearing_aid', 'low_vision', 'child_rehab', 'basic_rehab', 'basic_device')),
    CHECK (category IN ('visual', 'hearing', 'speech', 'physical', 'intellectual', 'mental', 'multiple')),
    CHECK (months BETWEEN 0 AND 12),
    CHECK (monthly_fen BETWEEN 0 AND 10000000),
    CHECK (end_on IS NULL OR end_on >= start_on)
);
CREATE INDEX rehab_episodes_county ON rehab_episodes (county_code, id);
CREATE INDEX rehab_episodes_person ON rehab_episodes (person_id, year);
CREATE INDEX rehab_episodes_year ON rehab_episodes (year, county_code);

-- Measure 14's province targets per programme year (rates in basis points).
CREATE TABLE rehab_targets (
    year INTEGER PRIMARY KEY NOT NULL,
    service_bp BIGINT NOT NULL,
    fitting_bp BIGINT NOT NULL,
    children BIGINT NOT NULL,
    CHECK (service_bp BETWEEN 0 AND 10000 AND fitting_bp BETWEEN 0 AND 10000 AND children >= 0)
);
-- 2020: 100 % of registered-poor disabled people with a need get basic rehabilitation
-- and device fitting (measure 14). No children's figure is set in the notice.
INSERT INTO rehab_targets (year, service_bp, fitting_bp, children) VALUES (2020, 10000, 10000, 0);

-- GB/T 16432-2016 (ISO 9999:2016): the classes, subclasses and divisions the starter catalogue uses.
INSERT INTO device_codes (edition, code, title_zh, title_en) VALUES
    ('2016', '04', '测量、支持、训练或替代身体功能的辅助器具', 'Assistive products for measuring, supporting, training or replacing body functions'),
    ('2016', '0433', '组织完整性辅助器具', 'Assistive products for tissue integrity'),
    ('2016', '043303', '防压疮坐垫和垫子', 'Seat cushions and underlays for tissue injury prevention'),
    ('2016', '043306', '防压疮床垫', 'Mattresses and mattress covers for tissue injury prevention'),
    ('2016', '06', '矫形器和假肢', 'Orthoses and prostheses'),
    ('2016', '0603', '脊柱和颅部矫形器', 'Spinal and cranial orthoses'),
    ('2016', '060309', '胸腰骶矫形器', 'Thoraco-lumbo-sacral orthoses'),
    ('2016', '0612', '下肢矫形器', 'Lower limb orthoses'),
    ('2016', '061203', '足矫形器', 'Foot orthoses'),
    ('2016', '061206', '踝足矫形器', 'Ankle-foot orthoses'),
    ('2016', '061212', '膝踝足矫形器', 'Knee-ankle-foot orthoses'),
    ('2016', '0618', '上肢假肢', 'Upper limb prostheses'),
    ('2016', '061809', '前臂假肢', 'Transradial prostheses'),
    ('2016', '0624', '下肢假肢', 'Lower limb prostheses'),
    ('2016', '062409', '小腿假肢', 'Transtibial prostheses'),
    ('2016', '062415', '大腿假肢', 'Transfemoral prostheses'),
    ('2016', '09', '自理活动和参与自理的辅助器具', 'Assistive products for self-care activities and participation in self-care'),
    ('2016', '0912', '如厕辅助器具', 'Assistive products for toileting'),
    ('2016', '091203', '坐便椅', 'Commode chairs'),
    ('2016', '0933', '清洗、盆浴和淋浴辅助器具', 'Assistive products for washing, bathing and showering'),
    ('2016', '093303', '洗澡椅、凳', 'Bath or shower chairs, stools, backrests and seats'),
    ('2016', '12', '个人移动和转移活动的辅助器具', 'Assistive products for activities and participation relating to personal mobility and transportation'),
    ('2016', '1203', '单臂操作助行器', 'Walking aids manipulated by one arm'),
    ('2016', '120303', '手杖', 'Walking sticks'),
    ('2016', '120306', '肘拐', 'Elbow crutches'),
    ('2016', '120312', '腋拐', 'Axillary crutches'),
    ('2016', '120316', '多脚手杖', 'Walking sticks with three or more legs'),
    ('2016', '1206', '双臂操作助行器', 'Walking aids manipulated by both arms'),
    ('2016', '120603', '助行架', 'Walking frames'),
    ('2016', '120606', '轮式助行器', 'Rollators'),
    ('2016', '1222', '人力轮椅车', 'Manual wheelchairs'),
    ('2016', '122203', '双手驱动轮椅车', 'Bimanual handrim-drive wheelchairs'),
    ('2016', '122218', '护理者操作轮椅车', 'Attendant-controlled wheelchairs'),
    ('2016', '1223', '动力轮椅车', 'Powered wheelchairs'),
    ('2016', '122306', '动力转向电动轮椅车', 'Powered wheelchairs with powered steering'),
    ('2016', '1236', '升降人的辅助器具', 'Assistive products for lifting persons'),
    ('2016', '123603', '移动式移位机', 'Mobile hoists for transferring a person in a seated position'),
    ('2016', '1239', '定向辅助器具', 'Assistive products for orientation'),
    ('2016', '123903', '盲杖', 'Tactile canes or white canes'),
    ('2016', '18', '家庭和其他场所的家具、固定装置及其他辅助器具', 'Furnishings, fixtures and other assistive products for supporting activities in indoor and outdoor human-made environments'),
    ('2016', '1818', '支撑扶手和抓杆', 'Supporting handrails and grab bars'),
    ('2016', '181806', '抓杆和扶手柄', 'Grab bars and handgrips'),
    ('2016', '22', '交流和信息管理辅助器具', 'Assistive products for communication and information management'),
    ('2016', '2203', '助视器', 'Assistive products for seeing'),
    ('2016', '220306', '眼镜和接触镜', 'Spectacles and contact lenses'),
    ('2016', '220309', '放大镜', 'Magnifying glasses, lenses and lens systems for magnification'),
    ('2016', '220312', '双筒和单筒望远镜', 'Binoculars and telescopes'),
    ('2016', '220318', '视频放大系统', 'Image-enlarging video systems'),
    ('2016', '2206', '助听器', 'Assistive products for hearing'),
    ('2016', '220606', '耳内式助听器', 'In-the-ear hearing aids'),
    ('2016', '220615', '耳背式助听器', 'Behind-the-ear hearing aids'),
    ('2016', '24', '控制、携带、移动和操作物体和器具的辅助器具', 'Assistive products for controlling, carrying, moving and handling objects and devices'),
    ('2016', '2421', '延伸取物辅助器具', 'Assistive products for extended reach'),
    ('2016', '242103', '手动取物器', 'Manual grabbers');

-- A starter catalogue: common items of basic device fitting, with 2020 caps per unit.
INSERT INTO device_items (id, code, edition, name_zh, name_en, categories, unit,
    service_life_years, max_level, assessment_required, active, version, created_at,
    created_by, updated_at, updated_by) VALUES
    ('e5de5ac4-9ed1-5e86-84df-5fbd0398d2f9', '122203', '2016', '普通轮椅', 'Manual wheelchair', 'physical,multiple', '辆', 5, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('ec6cd32a-1113-56e9-801f-bec5e5521aaf', '122218', '2016', '护理型轮椅', 'Attendant-controlled wheelchair', 'physical,intellectual,multiple', '辆', 5, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('8243c9d2-e41d-5553-ad9b-7f9e14017752', '122306', '2016', '电动轮椅', 'Powered wheelchair', 'physical,multiple', '辆', 6, 2, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('e6286792-5e5b-574f-904d-01f82f074341', '120303', '2016', '手杖', 'Walking stick', 'physical,visual', '根', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('f6cbb69d-0060-5cc1-9642-e071b0278a01', '120316', '2016', '四脚手杖', 'Quad walking stick', 'physical', '根', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('8ce0c692-b5ee-5119-8725-1444fd6a86c4', '120306', '2016', '肘拐', 'Elbow crutches', 'physical', '副', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('a45763a9-ac42-5b26-8627-66d5b826e740', '120312', '2016', '腋拐', 'Axillary crutches', 'physical', '副', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('fefe6dba-d85a-574d-bf1d-b267b0e27f39', '120603', '2016', '助行架', 'Walking frame', 'physical', '个', 4, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('c32e7928-cf67-5a99-ad96-a3d65ea86de0', '120606', '2016', '轮式助行器', 'Rollator', 'physical', '个', 4, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('20f7f1ec-cf86-506e-a53f-f3abe50d15c2', '123903', '2016', '盲杖', 'White cane', 'visual', '根', 2, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('478bd3f1-6928-5420-9df5-93f56209c3d0', '062409', '2016', '小腿假肢', 'Transtibial prosthesis', 'physical', '具', 4, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('ae2ed2d1-aa6b-5288-9824-d828f65ab609', '062415', '2016', '大腿假肢', 'Transfemoral prosthesis', 'physical', '具', 4, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('a762cd90-06e2-5b23-b19f-72c7f167ac1d', '061809', '2016', '前臂假肢', 'Transradial prosthesis', 'physical', '具', 4, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('0673d60f-70df-5daf-b2cd-4ca58a8ae3da', '061206', '2016', '踝足矫形器', 'Ankle-foot orthosis', 'physical', '具', 2, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('cab5bc5d-787a-56f8-9734-4dad723ce96d', '061212', '2016', '膝踝足矫形器', 'Knee-ankle-foot orthosis', 'physical', '具', 2, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('74a6e2a0-2395-5ac7-b618-65375022b2ca', '061203', '2016', '矫形鞋垫', 'Foot orthosis (insoles)', 'physical', '副', 1, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('d104e753-25c3-58be-9385-c9b55a4437b9', '060309', '2016', '脊柱矫形器', 'Thoraco-lumbo-sacral orthosis', 'physical', '具', 2, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('b83b908f-aec3-5eb3-b31f-5af144821c5c', '220615', '2016', '耳背式助听器', 'Behind-the-ear hearing aid', 'hearing,speech,multiple', '台', 5, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('807ce4ea-ca6a-5134-8169-3b8813edafe9', '220606', '2016', '耳内式助听器', 'In-the-ear hearing aid', 'hearing,speech,multiple', '台', 5, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('b4333a21-fcfa-5c6f-9ead-6583099c3dff', '220309', '2016', '手持放大镜', 'Hand-held magnifier', 'visual', '个', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('ec701568-78a3-57de-b038-e22fe6d88d6a', '220312', '2016', '单筒望远镜', 'Monocular telescope', 'visual', '个', 3, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('df949e58-6bbb-5194-b681-9c56b8175a62', '220318', '2016', '电子助视器', 'Video magnifier', 'visual', '台', 5, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('1f9bcc06-e665-5daf-bfaf-1840d991c44f', '220306', '2016', '低视力助视眼镜', 'Low-vision spectacles', 'visual', '副', 3, NULL, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('4b240a58-30f9-5672-a382-2890ec6c29e7', '091203', '2016', '坐便椅', 'Commode chair', 'physical,visual,intellectual,mental,multiple', '把', 4, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('ea217fdd-1199-5e27-bde3-bd34fbeeea86', '093303', '2016', '洗澡椅', 'Shower chair', 'physical,visual,multiple', '把', 4, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('6bdd1297-01bc-53cb-a5e5-78e196350663', '043303', '2016', '防压疮坐垫', 'Pressure-relief seat cushion', 'physical,multiple', '个', 2, 2, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('653cde26-a74e-5993-a717-ebca62f42de2', '043306', '2016', '防压疮床垫', 'Pressure-relief mattress', 'physical,multiple', '张', 3, 2, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('3f8ff5fb-f1f0-50ee-a7da-ccf613984bd1', '181806', '2016', '扶手抓杆', 'Grab bar', 'physical,visual,multiple', '根', 10, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('7279ecdb-6517-5f01-b6ea-fbb6c88d417f', '242103', '2016', '取物器', 'Reacher', 'physical', '个', 3, NULL, FALSE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed'),
    ('fc714b26-6d2a-57fb-a46b-82eaf9429ad1', '123603', '2016', '移位机', 'Mobile hoist', 'physical,multiple', '台', 8, 2, TRUE, TRUE, 1, '2020-01-01 00:00:00', 'seed', '2020-01-01 00:00:00', 'seed');
INSERT INTO device_caps (item_id, year, cap_fen) VALUES
    ('e5de5ac4-9ed1-5e86-84df-5fbd0398d2f9', 2020, 80000),
    ('ec6cd32a-1113-56e9-801f-bec5e5521aaf', 2020, 120000),
    ('8243c9d2-e41d-5553-ad9b-7f9e14017752', 2020, 300000),
    ('e6286792-5e5b-574f-904d-01f82f074341', 2020, 6000),
    ('f6cbb69d-0060-5cc1-9642-e071b0278a01', 2020, 10000),
    ('8ce0c692-b5ee-5119-8725-1444fd6a86c4', 2020, 15000),
    ('a45763a9-ac42-5b26-8627-66d5b826e740', 2020, 12000),
    ('fefe6dba-d85a-574d-bf1d-b267b0e27f39', 2020, 20000),
    ('c32e7928-cf67-5a99-ad96-a3d65ea86de0', 2020, 40000),
    ('20f7f1ec-cf86-506e-a53f-f3abe50d15c2', 2020, 8000),
    ('478bd3f1-6928-5420-9df5-93f56209c3d0', 2020, 500000),
    ('ae2ed2d1-aa6b-5288-9824-d828f65ab609', 2020, 1000000),
    ('a762cd90-06e2-5b23-b19f-72c7f167ac1d', 2020, 400000),
    ('0673d60f-70df-5daf-b2cd-4ca58a8ae3da', 2020, 150000),
    ('cab5bc5d-787a-56f8-9734-4dad723ce96d', 2020, 300000),
    ('74a6e2a0-2395-5ac7-b618-65375022b2ca', 2020, 30000),
    ('d104e753-25c3-58be-9385-c9b55a4437b9', 2020, 250000),
    ('b83b908f-aec3-5eb3-b31f-5af144821c5c', 2020, 200000),
    ('807ce4ea-ca6a-5134-8169-3b8813edafe9', 2020, 250000),
    ('b4333a21-fcfa-5c6f-9ead-6583099c3dff', 2020, 20000),
    ('ec701568-78a3-57de-b038-e22fe6d88d6a', 2020, 30000),
    ('df949e58-6bbb-5194-b681-9c56b8175a62', 2020, 150000),
    ('1f9bcc06-e665-5daf-bfaf-1840d991c44f', 2020, 50000),
    ('4b240a58-30f9-5672-a382-2890ec6c29e7', 2020, 20000),
    ('ea217fdd-1199-5e27-bde3-bd34fbeeea86', 2020, 15000),
    ('6bdd1297-01bc-53cb-a5e5-78e196350663', 2020, 30000),
    ('653cde26-a74e-5993-a717-ebca62f42de2', 2020, 50000),
    ('3f8ff5fb-f1f0-50ee-a7da-ccf613984bd1', 2020, 10000),
    ('7279ecdb-6517-5f01-b6ea-fbb6c88d417f', 2020, 3000),
    ('fc714b26-6d2a-57fb-a46b-82eaf9429ad1', 2020, 300000);
