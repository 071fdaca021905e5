"""Words the demo-bank generator draws from: places, names, products and their FAB texts."""

from __future__ import annotations

CITIES: tuple[tuple[str, str, str], ...] = (
    ("上海", "华东", "浦东新区世纪大道"),
    ("杭州", "华东", "西湖区文三路"),
    ("南京", "华东", "鼓楼区中山路"),
    ("苏州", "华东", "工业园区星海街"),
    ("宁波", "华东", "鄞州区天童南路"),
    ("合肥", "华东", "蜀山区长江西路"),
    ("北京", "华北", "西城区金融大街"),
    ("广州", "华南", "天河区珠江新城"),
    ("深圳", "华南", "福田区深南大道"),
    ("成都", "西南", "高新区天府大道"),
)
BRANCH_SUFFIXES = ("分行营业部", "城东支行", "城西支行", "高新支行", "开发区支行", "中心支行")

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARACTERS = tuple(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文斌俊峰宇浩然子涵欣怡梓轩一诺雨桐晨阳思远佳琪嘉怡博文天佑"
)
COMPANY_WORDS = (
    "恒信",
    "华泰",
    "中联",
    "瑞丰",
    "鼎盛",
    "宏远",
    "金桥",
    "新海",
    "天成",
    "东方",
    "盛达",
    "永安",
    "博远",
    "联创",
    "汇通",
)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("制造业", "制造"),
    ("批发和零售业", "贸易"),
    ("信息技术服务业", "科技"),
    ("建筑业", "建设"),
    ("交通运输业", "物流"),
    ("住宿和餐饮业", "餐饮"),
    ("医药制造业", "医药"),
    ("农业", "农业"),
)
OWNERSHIP = ("民营", "国有", "外资", "合资", "集体")
COMPANY_SIZE = ("微型", "小型", "中型", "大型")
DEVELOPMENT_STAGE = ("初创期", "成长期", "成熟期", "转型期")
OCCUPATIONS = (
    "企业职员",
    "公务员",
    "教师",
    "医生",
    "个体工商户",
    "工程师",
    "退休人员",
    "自由职业",
    "企业主",
    "学生",
)
INCOME_LEVELS = ("10万以下", "10-30万", "30-60万", "60-100万", "100万以上")
INTERESTS = (
    "旅游",
    "运动健身",
    "读书",
    "摄影",
    "茶艺",
    "高尔夫",
    "美食",
    "音乐",
    "书法",
    "投资理财",
)
COMMUNICATION_STYLES = ("直接务实", "重视关系", "注重细节", "谨慎保守", "开放健谈")
DECISION_PATTERNS = ("独立决策", "与家人商量", "参考专业意见", "比较多家后决定", "凭经验快速决定")
PRODUCT_KNOWLEDGE = ("了解", "一般", "不了解")
PREFERENCES = (
    "偏好手机银行",
    "偏好网点面谈",
    "偏好电话沟通",
    "偏好微信联系",
    "关注收益",
    "关注安全",
)
VISIT_TIMES = ("工作日上午", "工作日下午", "工作日晚间", "周末上午", "周末下午")
OTHER_BANKS = (
    "工商银行",
    "建设银行",
    "农业银行",
    "中国银行",
    "招商银行",
    "交通银行",
    "兴业银行",
    "浦发银行",
)
STREETS = ("人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "滨江大道", "文化路")

# code, zh, en, category, risk, term months, min amount (yuan), rate bp, FAB zh (3), FAB en (3)
PRODUCTS: tuple[
    tuple[
        str,
        str,
        str,
        str,
        str,
        int | None,
        int | None,
        int | None,
        tuple[str, str, str],
        tuple[str, str, str],
    ],
    ...,
] = (
    (
        "DEP-CUR",
        "活期储蓄存款",
        "Current savings account",
        "deposit",
        "R1",
        None,
        None,
        10,
        ("随存随取，资金灵活", "可绑定手机银行与代发工资", "日常资金安全便利"),
        (
            "Deposit and withdraw any time",
            "Links to mobile banking and payroll",
            "Everyday money kept safe and at hand",
        ),
    ),
    (
        "DEP-T1Y",
        "一年期定期存款",
        "One-year time deposit",
        "deposit",
        "R1",
        12,
        50,
        145,
        ("固定期限，固定利率", "利率高于活期", "稳定获得利息收益"),
        ("Fixed term, fixed rate", "Pays more than a current account", "Steady interest income"),
    ),
    (
        "DEP-T3Y",
        "三年期定期存款",
        "Three-year time deposit",
        "deposit",
        "R1",
        36,
        50,
        175,
        ("期限三年，利率锁定", "存款保险保障", "长期资金稳健增值"),
        (
            "Three-year term, rate locked in",
            "Covered by deposit insurance",
            "Long-term money grows steadily",
        ),
    ),
    (
        "DEP-CD",
        "大额存单",
        "Large certificate of deposit",
        "deposit",
        "R1",
        24,
        200000,
        190,
        ("起存20万元，可转让", "利率高于同期定期", "大额资金兼顾收益与流动性"),
        (
            "From CNY 200,000, transferable",
            "Higher rate than time deposits",
            "Yield and liquidity for larger sums",
        ),
    ),
    (
        "CARD-DEB",
        "借记卡",
        "Debit card",
        "card",
        "R1",
        None,
        None,
        None,
        ("境内外取现消费", "手机闪付", "出行消费更方便"),
        (
            "Cash and payments at home and abroad",
            "Contactless payments",
            "Easier spending when travelling",
        ),
    ),
    (
        "CARD-CRD",
        "信用卡",
        "Credit card",
        "card",
        "R2",
        None,
        None,
        None,
        ("最长56天免息期", "积分兑换与商户优惠", "先消费后还款，管理现金流"),
        (
            "Up to 56 interest-free days",
            "Points and merchant offers",
            "Spend now, pay later, smoother cash flow",
        ),
    ),
    (
        "LOAN-MTG",
        "个人住房贷款",
        "Home mortgage",
        "loan",
        "R2",
        360,
        100000,
        385,
        ("最长30年分期", "利率随LPR调整", "安家置业压力更小"),
        ("Up to 30 years", "Rate follows the LPR", "A home with manageable repayments"),
    ),
    (
        "LOAN-CON",
        "个人消费贷款",
        "Personal consumer loan",
        "loan",
        "R2",
        36,
        10000,
        420,
        ("线上申请，快速审批", "随借随还", "装修、教育等用款及时到位"),
        (
            "Apply online, quick approval",
            "Borrow and repay any time",
            "Funds for renovation or education when needed",
        ),
    ),
    (
        "LOAN-WC",
        "流动资金贷款",
        "Working capital loan",
        "loan",
        "R3",
        12,
        500000,
        365,
        ("满足日常经营周转", "额度循环使用", "企业经营资金不断档"),
        ("Finances day-to-day operations", "Revolving limit", "Keeps the business funded"),
    ),
    (
        "CORP-SET",
        "对公结算账户",
        "Corporate settlement account",
        "payment",
        "R1",
        None,
        None,
        5,
        ("收付款与代发工资", "网银与银企直连", "企业资金集中高效管理"),
        (
            "Collections, payments and payroll",
            "Online banking and host-to-host",
            "Efficient central cash management",
        ),
    ),
    (
        "CORP-CM",
        "现金管理服务",
        "Cash management service",
        "fee_service",
        "R1",
        None,
        None,
        None,
        ("资金归集与自动划拨", "集团账户统一视图", "提高资金使用效率"),
        ("Pooling and automatic sweeps", "One view of group accounts", "Better use of idle cash"),
    ),
    (
        "WM-STB",
        "稳健理财产品",
        "Conservative wealth product",
        "wealth",
        "R2",
        6,
        10000,
        280,
        ("投向固定收益资产", "净值波动小", "收益高于存款、风险较低"),
        ("Invests in fixed income", "Low volatility", "Better than deposits at low risk"),
    ),
    (
        "WM-BAL",
        "平衡型理财产品",
        "Balanced wealth product",
        "wealth",
        "R3",
        12,
        10000,
        380,
        ("股债均衡配置", "专业团队管理", "兼顾收益与风险"),
        (
            "Balanced equity and bonds",
            "Managed by professionals",
            "Returns with risk kept in check",
        ),
    ),
    (
        "FUND-MM",
        "货币市场基金",
        "Money market fund",
        "fund",
        "R1",
        None,
        1,
        180,
        ("T+0快速赎回", "1元起购", "闲钱理财随取随用"),
        ("Same-day redemption", "From CNY 1", "Idle cash earns and stays available"),
    ),
    (
        "FUND-BND",
        "债券基金",
        "Bond fund",
        "fund",
        "R2",
        None,
        1000,
        300,
        ("投资国债与信用债", "波动适中", "稳步积累收益"),
        ("Invests in government and credit bonds", "Moderate volatility", "Steady accumulation"),
    ),
    (
        "FUND-EQ",
        "股票型基金定投",
        "Equity fund regular investment",
        "fund",
        "R4",
        None,
        100,
        None,
        ("每月定额投资", "摊薄成本", "长期分享经济增长"),
        ("Fixed monthly investment", "Averages the cost", "Shares in long-term growth"),
    ),
    (
        "FUND-QDII",
        "全球配置基金",
        "Global allocation fund",
        "fund",
        "R5",
        None,
        1000,
        None,
        ("投资海外市场", "分散单一市场风险", "全球视野配置资产"),
        ("Invests abroad", "Spreads single-market risk", "A global portfolio"),
    ),
    (
        "INS-LIFE",
        "终身寿险",
        "Whole life insurance",
        "insurance",
        "R2",
        240,
        5000,
        None,
        ("终身保障", "保额逐年递增", "为家人留下确定的保障"),
        ("Lifelong cover", "Sum assured grows each year", "Certain protection for the family"),
    ),
    (
        "INS-ANN",
        "养老年金保险",
        "Retirement annuity",
        "insurance",
        "R2",
        120,
        10000,
        None,
        ("按月领取养老金", "领取至终身", "退休生活有保障"),
        ("Monthly pension", "Paid for life", "A secure retirement"),
    ),
)

INTERACTION_SUBJECTS = (
    "季度回访",
    "理财产品介绍",
    "贷款需求沟通",
    "到期提醒",
    "生日问候",
    "服务满意度回访",
    "资产配置建议",
    "账户异动关怀",
)
INTERACTION_OUTCOMES = (
    "客户满意",
    "有购买意向",
    "暂无需求",
    "需再次跟进",
    "已办理业务",
    "客户提出意见",
)

# Complaints. Codes are those of the shipped taxonomy (bankcrm/complaints/data/taxonomy.toml).
# A complaint text is put together from fragments: an optional opening, a sentence naming
# the product, one or two sentences of the issue, now and then a second product mentioned in
# passing, and the customer's demands. Placeholders: {p} the product, {q} another product,
# {branch}, {date}, {amount} (yuan), {minutes}, {hours}, {n}, {rate} (per cent).

COMPLAINT_PRODUCT_LINES: dict[str, tuple[float, tuple[tuple[str, str | None], ...]]] = {
    # product line: (share of complaints, ((phrase, product code or None), ...))
    "deposit_account": (
        0.20,
        (
            ("储蓄卡", "CARD-DEB"),
            ("借记卡", "CARD-DEB"),
            ("工资卡", "CARD-DEB"),
            ("活期账户", "DEP-CUR"),
            ("存折", "DEP-CUR"),
            ("定期存款", "DEP-T1Y"),
            ("大额存单", "DEP-CD"),
        ),
    ),
    "credit_card": (
        0.19,
        (
            ("信用卡", "CARD-CRD"),
            ("白金信用卡", "CARD-CRD"),
            ("联名信用卡", "CARD-CRD"),
            ("信用卡账户", "CARD-CRD"),
            ("信用卡副卡", "CARD-CRD"),
        ),
    ),
    "personal_loan": (
        0.08,
        (
            ("消费贷", "LOAN-CON"),
            ("个人消费贷款", "LOAN-CON"),
            ("装修贷款", "LOAN-CON"),
            ("线上信用贷", "LOAN-CON"),
            ("车位贷款", "LOAN-CON"),
        ),
    ),
    "mortgage": (
        0.07,
        (
            ("房贷", "LOAN-MTG"),
            ("住房按揭贷款", "LOAN-MTG"),
            ("个人住房贷款", "LOAN-MTG"),
            ("公积金组合贷款", "LOAN-MTG"),
            ("二手房贷款", "LOAN-MTG"),
        ),
    ),
    "wealth_management": (
        0.12,
        (
            ("理财产品", "WM-STB"),
            ("净值型理财", "WM-BAL"),
            ("基金", "FUND-EQ"),
            ("基金定投", "FUND-EQ"),
            ("债券基金", "FUND-BND"),
            ("结构性存款", None),
            ("代销的保险理财", "INS-ANN"),
        ),
    ),
    "payments": (
        0.08,
        (
            ("转账汇款", None),
            ("跨行转账", None),
            ("境外汇款", None),
            ("代扣缴费", None),
            ("快捷支付", None),
            ("二维码收款", None),
        ),
    ),
    "digital_banking": (
        0.12,
        (
            ("手机银行", None),
            ("网上银行", None),
            ("手机银行App", None),
            ("银行App", None),
            ("U盾", None),
            ("微信银行", None),
        ),
    ),
    "credit_reporting": (
        0.05,
        (
            ("征信报告", None),
            ("个人征信记录", None),
            ("信用报告", None),
            ("征信查询记录", None),
        ),
    ),
    "debt_collection": (
        0.06,
        (
            ("催收电话", None),
            ("催收短信", None),
            ("第三方催收", None),
            ("贷款催收", None),
            ("信用卡催收", "CARD-CRD"),
            ("上门催收", None),
        ),
    ),
    "other": (
        0.03,
        (
            ("保管箱", None),
            ("外币兑换", None),
            ("代缴社保", None),
            ("积分兑换", None),
            ("残损币兑换", None),
        ),
    ),
}

COMPLAINT_ISSUE_WEIGHTS: dict[str, dict[str, float]] = {
    # Plausible issues of each product line, with their relative frequency.
    "deposit_account": {
        "waiting_time": 4.0,
        "service_attitude": 3.0,
        "account_management": 3.0,
        "fees_and_interest": 2.0,
        "transaction_problem": 1.5,
        "fraud_or_scam": 1.0,
        "privacy_and_security": 0.8,
        "incorrect_information": 0.5,
    },
    "credit_card": {
        "fees_and_interest": 3.0,
        "fraud_or_scam": 2.0,
        "transaction_problem": 1.5,
        "account_management": 1.5,
        "collection_conduct": 1.5,
        "service_attitude": 1.0,
        "not_as_advertised": 1.0,
        "incorrect_information": 0.8,
        "waiting_time": 0.3,
    },
    "personal_loan": {
        "loan_servicing": 3.0,
        "fees_and_interest": 2.5,
        "collection_conduct": 1.2,
        "not_as_advertised": 1.0,
        "service_attitude": 1.0,
        "privacy_and_security": 0.5,
        "incorrect_information": 0.5,
    },
    "mortgage": {
        "loan_servicing": 4.0,
        "fees_and_interest": 2.0,
        "service_attitude": 1.0,
        "waiting_time": 0.8,
        "incorrect_information": 0.5,
    },
    "wealth_management": {
        "not_as_advertised": 5.0,
        "fees_and_interest": 1.2,
        "service_attitude": 1.0,
        "transaction_problem": 0.8,
    },
    "payments": {
        "transaction_problem": 4.0,
        "fees_and_interest": 1.5,
        "fraud_or_scam": 1.5,
        "waiting_time": 1.0,
        "service_attitude": 0.5,
    },
    "digital_banking": {
        "transaction_problem": 3.0,
        "privacy_and_security": 2.0,
        "account_management": 1.5,
        "fraud_or_scam": 1.5,
        "service_attitude": 0.5,
    },
    "credit_reporting": {
        "incorrect_information": 5.0,
        "privacy_and_security": 1.0,
        "service_attitude": 0.5,
    },
    "debt_collection": {
        "collection_conduct": 6.0,
        "privacy_and_security": 1.5,
        "incorrect_information": 0.5,
    },
    "other": {
        "service_attitude": 2.0,
        "waiting_time": 1.5,
        "fees_and_interest": 1.0,
        "privacy_and_security": 1.0,
    },
}

COMPLAINT_OPENINGS = (
    "您好，",
    "尊敬的贵行领导：",
    "我是贵行多年的老客户，",
    "本人于上周到贵行{branch}办理业务。",
    "本人在贵行开户已有十余年，一直很信任贵行。",
    "我是一名退休职工，平时很少用手机。",
    "我是个体工商户，资金周转全靠这张卡。",
    "本人代年迈的母亲反映问题。",
    "{date}我曾就此事打过客服电话，至今没有下文。",
    "本人工作繁忙，实在没有时间反复跑网点。",
)
COMPLAINT_REPEAT_OPENINGS = (
    "这已经是我第二次就此事投诉了。",
    "上次投诉后问题仍未解决，现再次反映。",
    "之前反映过的问题又出现了，",
)
COMPLAINT_PRODUCT_SENTENCES = (
    "现就{p}的问题向贵行投诉。",
    "我要投诉贵行的{p}。",
    "关于{p}，有以下问题需要反映。",
    "本次投诉涉及{p}。",
    "{p}的问题已经困扰我很久了。",
    "反映一下{p}方面的情况。",
)
COMPLAINT_ISSUE_SENTENCES: dict[str, tuple[str, ...]] = {
    "service_attitude": (
        "{date}在{branch}办理{p}相关业务时，柜员态度冷淡，问了几遍都不耐烦。",
        "工作人员对{p}的问题一问三不知，还当着其他客户的面大声呵斥我。",
        "拨打客服热线咨询{p}，客服人员语气生硬，多次打断我说话，最后直接挂断了电话。",
        "大堂经理推诿扯皮，说{p}的事情不归他们管，让我去别的网点。",
        "在{branch}咨询{p}时，工作人员一边玩手机一边敷衍答复，态度非常恶劣。",
        "客户经理办理{p}时说话阴阳怪气，我提出疑问反被嘲讽看不懂。",
        "我就{p}的问题反复询问，工作人员始终爱答不理，最后说下班了让我明天再来。",
        "{branch}的保安和大堂人员态度蛮横，我只是多问了一句{p}的事就被呵斥。",
    ),
    "waiting_time": (
        "{date}在{branch}排队等了{minutes}分钟，十几个窗口只开了两个。",
        "为办理{p}在网点足足等了{hours}个小时，叫号系统迟迟不动。",
        "取号后前面还有{n}人，午休时段大部分窗口却都关闭了。",
        "提前预约了{date}上午办理{p}，到现场仍要重新排队，白白浪费了半天时间。",
        "老年人办理{p}只能到柜台，{branch}却没有任何优先窗口，排队时间过长。",
        "客服电话一直提示坐席繁忙，为了{p}的事等了{minutes}分钟都没有接通。",
        "{branch}的自助设备一半以上故障停用，所有人都挤在柜台排队，等了{minutes}分钟。",
        "办理{p}的专属窗口长期无人，只能和其他业务一起排队，前面有{n}个人。",
    ),
    "fees_and_interest": (
        "{p}被扣收了¥{amount}的费用，事先没有任何告知。",
        "账单显示{p}产生了¥{amount}的利息和手续费，与办理时说的不一致。",
        "我从未开通短信提醒，{p}却每月被扣收短信服务费。",
        "提前支取或结清{p}时被收取了¥{amount}的费用，办理时工作人员从未提及。",
        "{p}的年费和管理费标准调整后没有提前通知，我被多扣了¥{amount}。",
        "{p}的实际年化费率远高于宣传，算下来多付了¥{amount}。",
    ),
    "not_as_advertised": (
        "办理{p}时承诺的权益和礼品至今没有兑现。",
        "广告上说{p}“零费用”，实际使用中各种收费一样不少。",
        "营销人员介绍{p}时只讲好处，对限制条件只字不提。",
        "{p}宣传的优惠活动，办完后却被告知我不符合条件。",
    ),
    "transaction_problem": (
        "{date}通过{p}转出¥{amount}，显示交易失败但资金已被扣划，至今未退回。",
        "{p}重复扣款两次，共计¥{amount}，多次联系客服均未解决。",
        "使用{p}付款时被提示交易异常，导致无法支付，当时非常尴尬。",
        "{p}的一笔¥{amount}款项迟迟没有到账，查询也没有任何记录。",
        "在ATM取款¥{amount}，机器未吐钞但账户已扣款，网点说要等调查。",
        "{date}的一笔{p}交易金额被记错，多扣了¥{amount}。",
    ),
    "account_management": (
        "{p}被无故冻结，工作人员说是系统风控，却说不清原因，也不给解冻时间。",
        "我要求注销{p}，网点以各种理由拒绝办理，让我多次往返。",
        "{p}被限制非柜面交易，每日只能转账五百元，严重影响正常生活。",
        "修改{p}预留手机号必须本人回开户网点办理，异地无法办理，太不方便。",
        "{p}的状态被单方面变更，事先没有收到任何通知。",
    ),
    "incorrect_information": (
        "{p}相关记录中出现了一笔本人从未有过的逾期，影响我办理其他贷款。",
        "我已按时足额还款，但{p}仍被记为逾期，要求更正。",
        "我的姓名和身份证号在{p}中登记错误，导致多项业务无法办理。",
        "{p}的账单金额与实际交易不符，多出了¥{amount}。",
        "已经结清的{p}在系统里仍显示未结清，影响我的信用记录。",
    ),
    "collection_conduct": (
        "催收人员每天打七八次电话，连我的父母和同事都被骚扰。",
        "只逾期了{n}天，就收到言语威胁的催收短信，说要上门并通知我的单位。",
        "第三方催收公司冒充律师，声称要起诉我并冻结全部财产。",
        "晚上十一点以后还有人打电话催款，态度粗暴，甚至辱骂本人。",
        "我已经和贵行协商了分期还款计划，仍然不断接到催收电话。",
        "催收人员把我的欠款情况告诉了通讯录里的亲友，让我颜面尽失。",
    ),
    "loan_servicing": (
        "提交{p}提前还款申请已经{n}天，至今没有办理，也没有回复进度。",
        "{p}审批一拖再拖，导致我错过了付款期限。",
        "{p}的扣款日被调整后没有通知，自动扣款失败直接被记了逾期。",
        "{p}结清后申请解押，网点说材料要层层审批，迟迟不给办理。",
        "利率下调后{p}的月供没有相应调整，多次询问无人答复。",
    ),
    "privacy_and_security": (
        "经常接到推销电话，对方能准确说出我的{p}信息，怀疑个人信息被泄露。",
        "未经我本人同意，有人查询了我的{p}信息。",
        "{p}的短信验证码被发到了陌生手机号上，存在严重安全隐患。",
        "工作人员把我的身份证复印件随意放在柜台上，{p}的资料也没有妥善保管。",
        "我从未授权，{p}却被绑定了第三方支付。",
    ),
    "fraud_or_scam": (
        "{date}凌晨{p}被盗刷了¥{amount}，卡一直在我身上，要求贵行追回。",
        "接到自称贵行客服的电话，说{p}需要升级，被骗走¥{amount}，贵行却没有任何风险提示。",
        "{p}出现多笔境外交易，共计¥{amount}，均非本人操作。",
        "在网点门口被人以办理{p}为名诱骗，损失了¥{amount}。",
        "有人冒用我的身份开通了{p}，产生了¥{amount}的欠款。",
    ),
}
COMPLAINT_SECOND_ISSUE = "此外，"
COMPLAINT_PAIR_SENTENCES: dict[tuple[str, str], tuple[str, ...]] = {
    # Sentences for a product line and issue that replace the issue's general ones.
    ("wealth_management", "not_as_advertised"): (
        "购买{p}时客户经理承诺保本保收益，年化收益{rate}%，到期却亏损了¥{amount}。",
        "宣传材料写的{p}预期收益是{rate}%，实际到账收益不到一半，与宣传严重不符。",
        "{p}宣传时说随时可以赎回，真正需要用钱时却被告知有封闭期。",
        "销售人员没有告知{p}的风险等级，只说比存款划算，把我当成稳健型客户随便推荐。",
        "客户经理说{p}“稳赚不赔”，现在净值跌了{n}%，找他也不接电话。",
        "办理{p}时承诺的赠品和加息券至今没有兑现。",
    ),
    ("personal_loan", "not_as_advertised"): (
        "宣传的{p}年利率只有{rate}%，实际算下来远不止这个数。",
        "办理{p}时说随借随还、没有手续费，结果提前还款还要收费。",
        "营销人员介绍{p}时只讲额度高、放款快，对利息和费用只字不提。",
    ),
    ("deposit_account", "incorrect_information"): (
        "我的姓名和身份证号在{p}中登记错误，导致多项业务无法办理。",
        "{p}的对账单金额与实际交易不符，多出了¥{amount}。",
        "{p}的预留手机号被登记成了别人的号码，我一直收不到动账短信。",
        "{p}的开户信息登记有误，办理业务时屡次被要求重新核验身份。",
    ),
    ("credit_reporting", "incorrect_information"): (
        "{p}上出现了一笔本人从未办理过的贷款，怀疑被他人冒用身份。",
        "我已按时足额还款，但{p}上仍显示逾期，要求更正。",
        "贷款结清已经{n}天了，{p}上仍显示未结清，影响我申请房贷。",
        "我的姓名和身份证号在{p}中登记错误，导致多项业务无法办理。",
        "{p}上的逾期记录是贵行系统差错造成的，却迟迟不给更正。",
    ),
    ("debt_collection", "privacy_and_security"): (
        "催收人员掌握我全家人的联系方式，不知道是从哪里泄露的。",
        "{p}的人能说出我的住址和工作单位，个人信息明显被泄露。",
        "{p}向我的同事透露了我的欠款金额和身份证号。",
    ),
    ("debt_collection", "incorrect_information"): (
        "{p}称我欠款¥{amount}，但我早已全部还清。",
        "{p}找错了人，我根本没有在贵行办理过贷款。",
        "{p}说的欠款金额比实际多出了¥{amount}。",
    ),
}
COMPLAINT_ASIDE_LINES = (
    "deposit_account",
    "credit_card",
    "personal_loan",
    "mortgage",
    "wealth_management",
    "payments",
    "digital_banking",
)
"""Product lines a customer holds, and so may mention in passing."""
COMPLAINT_ASIDES = (
    "另外，我在贵行还有{q}，也遇到过类似情况。",
    "顺便说一下，之前办理{q}时体验也不好。",
    "我的{q}也在贵行办理，希望一并核查。",
    "（我同时也是贵行{q}的用户。）",
    "前几天咨询{q}时也没人能说清楚。",
)
COMPLAINT_DEMANDS = (
    "希望尽快给予书面答复。",
    "请贵行核实后给我一个合理的解释。",
    "请尽快处理，给我一个明确的说法。",
    "希望贵行重视并尽快解决。",
)
COMPLAINT_ISSUE_DEMANDS: dict[str, tuple[str, ...]] = {
    # Demands that fit an issue, drawn alongside the general ones.
    "service_attitude": ("要求相关工作人员当面道歉。", "希望贵行加强员工培训，避免再次发生。"),
    "waiting_time": ("希望增开窗口，合理安排人手。", "建议高峰时段开放更多窗口。"),
    "fees_and_interest": ("要求退还相关费用。", "要求退还多收的利息和手续费。"),
    "not_as_advertised": ("要求赔偿由此造成的全部损失。", "要求按宣传的条件兑现。"),
    "transaction_problem": ("要求尽快退回被扣款项。", "要求查明原因并赔偿损失。"),
    "account_management": ("要求尽快解除限制。", "要求说明依据并恢复正常使用。"),
    "incorrect_information": ("要求尽快更正错误记录。", "要求出具更正证明。"),
    "collection_conduct": ("要求立即停止此类行为。", "要求停止骚扰我的家人和同事。"),
    "loan_servicing": ("要求尽快办理。", "要求消除由此产生的逾期记录。"),
    "privacy_and_security": ("要求查明信息泄露的原因。", "要求妥善保护我的个人信息。"),
    "fraud_or_scam": ("要求贵行追回损失。", "要求冻结涉案账户并赔偿损失。"),
}
COMPLAINT_THREATS = (
    "否则将向监管部门反映。",
    "如果得不到合理解决，我将向金融监管部门投诉。",
    "我已保留相关证据，必要时将诉诸法律。",
    "否则我将把资金全部转到其他银行。",
)
COMPLAINT_BRANCH_WORDS = ("{name}", "贵行{name}", "家附近的网点", "{city}的一家网点")
COMPLAINT_HOURS = ("一个多", "两", "将近三", "三")

COMPLAINT_ROOT_CAUSE_WEIGHTS: dict[str, dict[str, float]] = {
    # What the investigation finds behind each issue (root-cause codes of the taxonomy).
    "service_attitude": {
        "staff_error": 5.0,
        "perception_mismatch": 2.0,
        "standard_missing": 1.0,
        "unfounded": 1.5,
    },
    "waiting_time": {
        "expectations_unknown": 4.0,
        "standard_missing": 2.0,
        "system_failure": 1.0,
        "perception_mismatch": 1.0,
        "unfounded": 0.5,
    },
    "fees_and_interest": {
        "perception_mismatch": 3.0,
        "standard_missing": 2.0,
        "staff_error": 1.5,
        "overpromised": 1.0,
        "unfounded": 2.0,
    },
    "not_as_advertised": {"overpromised": 6.0, "perception_mismatch": 1.5, "unfounded": 1.0},
    "transaction_problem": {
        "system_failure": 5.0,
        "third_party": 2.0,
        "staff_error": 1.0,
        "unfounded": 1.0,
    },
    "account_management": {
        "standard_missing": 3.0,
        "staff_error": 2.0,
        "expectations_unknown": 1.0,
        "unfounded": 1.5,
    },
    "incorrect_information": {
        "staff_error": 3.0,
        "system_failure": 2.0,
        "third_party": 1.0,
        "unfounded": 1.5,
    },
    "collection_conduct": {
        "third_party": 5.0,
        "staff_error": 1.5,
        "standard_missing": 1.0,
        "unfounded": 1.0,
    },
    "loan_servicing": {
        "standard_missing": 3.0,
        "staff_error": 2.0,
        "expectations_unknown": 1.5,
        "unfounded": 1.0,
    },
    "privacy_and_security": {
        "staff_error": 2.0,
        "third_party": 2.0,
        "system_failure": 1.0,
        "unfounded": 2.0,
    },
    "fraud_or_scam": {"third_party": 5.0, "system_failure": 1.0, "unfounded": 1.5},
}
COMPLAINT_REPLIES: dict[str, tuple[str, ...]] = {
    # The bank's reply, by the root cause the investigation found.
    "expectations_unknown": (
        "感谢您的意见，我行已按客户高峰时段调整窗口安排，给您带来不便深表歉意。",
        "经了解，您反映的需求我行此前考虑不周，已纳入服务改进计划，感谢您的监督。",
    ),
    "standard_missing": (
        "经核查，相关业务流程存在不完善之处，我行已修订服务标准并组织培训。",
        "我行已对该项业务的办理规范进行梳理完善，今后将提前告知客户相关要求。",
    ),
    "staff_error": (
        "经核查，确系我行工作人员未按规定操作，已对相关人员批评教育，并向您诚挚致歉。",
        "经调阅录像核实，工作人员服务存在不当之处，我行已严肃处理，并安排专人为您办理。",
    ),
    "system_failure": (
        "经核查，系我行系统故障所致，相关款项已退回您的账户，给您带来不便深表歉意。",
        "经排查，问题由设备故障引起，现已修复，差错款项已于核实当日入账。",
    ),
    "overpromised": (
        "经核查，销售过程中存在夸大收益、淡化风险的情况，我行已对销售人员问责，并与您协商补偿方案。",
        "您反映的宣传内容与产品实际不符属实，我行已撤下相关宣传材料，并为您办理相应补偿。",
    ),
    "perception_mismatch": (
        "我行已向您详细说明业务规则和收费依据，对前期沟通不到位之处表示歉意。",
        "经核查，业务办理符合合同约定，我行已当面向您解释，今后将加强事前告知。",
    ),
    "third_party": (
        "经核查，问题由合作的第三方机构造成，我行已督促其整改，并将持续跟进处理结果。",
        "该问题涉及外部机构，我行已协调对方处理，并要求其规范作业行为。",
    ),
    "unfounded": (
        "经调取录音录像及交易凭证核查，相关业务办理符合规定，已向您说明情况。",
        "经核实，您反映的问题与事实不符，我行已将核查结果告知您，如有异议可申请复核。",
    ),
}
COMPLAINT_SECOND_REPLY = "针对您的再次反映，"
COMPLAINT_EXTENSION_REASONS = (
    "需调取交易凭证，核查时间较长",
    "涉及第三方机构，需等待对方书面回复",
    "需调阅网点监控录像并约谈相关员工",
    "涉及跨行交易差错，需与清算机构核对",
    "客户补充提交了材料，需重新核实",
    "涉及征信数据更正，需报送征信中心处理",
)
