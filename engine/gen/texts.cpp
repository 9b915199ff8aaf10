// The generator's phrase tables. Written in simplified Chinese and English; traditional
// variants come from trad_table.inc at run time. Slots are described in texts.h.
//
// Editing: keep every zh string in characters the traditional table covers (gen_test checks
// that traditional output folds back to the simplified text with OpenCC), and avoid the words
// brand queries exclude (aurora borealis, 青柠 + 柠檬水, ...) next to brand slots.

#include "engine/gen/texts.h"

#include <array>

namespace yuqing::gen::detail {
namespace {

using SV = std::string_view;

// ================================ zh ========================================================
constexpr SV kZhSinglePos[] = {
    "{B}的{A}{P}",
    "用了一个月{B}，{A}{P}",
    "刚入手{B}，{A}{P}",
    "不得不说{B}的{A}{P}",
    "{B}这次{A}{P}，必须夸一下",
    "第二次买{B}了，{A}{P}",
    "安利{B}！{A}{P}",
    "谁懂啊，{B}的{A}{P}",
    "对{B}路转粉了，{A}{P}",
    "身边朋友都在用{B}，{A}{P}",
};
constexpr SV kZhSingleNeu[] = {
    "有人用过{B}吗？{A}怎么样",
    "{B}的{A}{P}",
    "{B}今天发布了新品，{A}有升级",
    "在犹豫要不要买{B}，主要看{A}",
    "{B}的{A}跟之前差不多，{P}",
    "求问{B}的{A}到底怎么样",
    "听说{B}要调整{A}了",
    "{B}的{A}，{P}吧",
};
constexpr SV kZhSingleNeg[] = {
    "{B}的{A}{P}",
    "{B}{A}{P}，再也不买了",
    "吐槽一下{B}，{A}{P}",
    "对{B}真的失望，{A}{P}",
    "买了{B}，{A}{P}，后悔",
    "避雷{B}！{A}{P}",
    "{B}能不能上点心，{A}{P}",
    "本来挺期待{B}的，结果{A}{P}",
};
constexpr SV kZhPredPos[] = {
    "真的很好",   "非常好",     "太好了",       "超级稳",       "特别满意",     "没得说",
    "yyds",       "绝了",       "很惊艳",       "一点都不差",   "完全没问题",   "不是一般的好",
    "还挺不错",   "确实可以",   "比想象中好",   "真香",         "不是不好，是非常好",
    "没有让人失望", "太顶了",   "相当给力",     "满分",         "很nice",       "体验拉满",
    "有点惊喜",   "稍微超出预期",
};
constexpr SV kZhPredNeu[] = {
    "还行",       "一般般",     "中规中矩",     "跟宣传差不多", "有好有坏",     "不好不坏",
    "凑合",       "没什么特别的", "普普通通",   "见仁见智",
};
constexpr SV kZhPredNeg[] = {
    "太差了",     "非常失望",   "真的不行",     "不好用",       "不怎么样",     "有点拉胯",
    "有点失望",   "稍微有点差", "完全不行",     "翻车了",       "踩雷了",       "太坑了",
    "一言难尽",   "不太行",     "简直离谱",     "烂透了",       "不是很好",     "一点也不好",
    "让人很无语", "太拉了",     "真的emo了",    "差评",         "不是不差，是很差",
};
constexpr SV kZhContrast[] = {
    "，但是{a}{Q}", "，不过{a}{Q}", "，可惜{a}{Q}", "，可是{a}{Q}", "，就是{a}{Q}",
};
constexpr SV kZhAdditions[] = {
    "，{a}也{P}", "，而且{a}{P}", "，{a}同样{P}", "。另外{a}{P}", "，再说{a}，{P}",
};
constexpr SV kZhOpeners[] = {
    "说真的，", "家人们，", "讲真，", "实话实说，", "刚刷到，", "emmm，", "不吹不黑，",
    "今天想说说，", "一句话总结：", "长话短说，",
};
constexpr SV kZhEnds[] = {"。", "！", "！！", "～", "…", "", "。", "！"};
constexpr SV kZhTailPos[] = {"[赞]", "[哈哈]", "👍", "❤️", "🔥", "[赞][赞]", "😍", "🎉"};
constexpr SV kZhTailNeu[] = {"[doge]", "[微笑]", "🤔", "😅", "[允悲]", "[二哈]"};
constexpr SV kZhTailNeg[] = {"[怒]", "[泪]", "[吐]", "[衰]", "[抓狂]", "😡", "😭", "💔", "🤡", "[怒][怒]"};
constexpr SV kZhSlangPos[] = {"yyds", "绝绝子", "绝了", "真香", "冲就完了", "闭眼入"};
constexpr SV kZhSlangNeu[] = {"蹲一个", "吃瓜", "坐等", "mark一下"};
constexpr SV kZhSlangNeg[] = {"翻车", "踩雷", "避雷", "无语", "离谱", "破防了", "大无语"};
constexpr SV kZhTagsPos[] = {"#好物推荐#", "#今日份分享#", "#真实测评#"};
constexpr SV kZhTagsNeu[] = {"#今日份分享#", "#求推荐#"};
constexpr SV kZhTagsNeg[] = {"#避雷#", "#吐槽#", "#消费维权#"};
constexpr SV kZhCompare[] = {
    "{B}和{C}比，{A}还是{B}{G}",
    "对比了{B}和{C}，{B}的{A}{G}，{C}的{A}{H}",
    "从{C}换到{B}，{A}{G}",
    "{B}跟{C}到底选哪个？主要看{A}",
    "{C}的{A}{H}，还是{B}靠谱",
    "{B}还是{C}？求推荐，预算有限",
};
constexpr SV kZhChatter[] = {
    "今天天气不错，出去走走[哈哈]",
    "早高峰地铁挤死了[抓狂]",
    "周末去吃火锅，太爽了",
    "加班到十点，累了[衰]",
    "有没有好看的剧推荐一下",
    "猫又把杯子打翻了😂",
    "考试终于结束了！",
    "这个夏天也太热了吧🔥",
    "刚看完比赛，太激动了",
    "喝了一杯青柠柠檬水，酸酸的很解渴",
    "华宇地产又开新盘了，房价还是那么高",
    "星曜大道今天堵车堵了一个小时",
    "楼下新开了一家面馆，味道还行",
    "今天的晚霞好美",
    "打工人的周一[衰]",
    "有人一起去爬山吗",
    "减肥第三天，想吃炸鸡",
    "终于把房间收拾整齐了",
    "下雨了，记得带伞",
    "这首歌单曲循环一整天了",
    "年终总结写不出来[泪]",
    "今天的咖啡有点苦",
    "快递又延误了，无语",
    "新年快乐！🎉",
    "甜屿小说更新了，作者太会写了",
    "明天要早起，先睡了",
    "朋友圈都在晒旅游照片",
    "学了一下午英语，头大",
    "健身房人好多",
    "这个综艺笑死我了[哈哈]",
};
constexpr SV kZhCrisis[] = {
    "{B}{X}了！？有没有人管管",
    "刚看到新闻，{B}又{X}了，太吓人了",
    "{B}出大事了，{X}，大家注意安全",
    "我的{B}{X}了，客服还不理人，必须{Y}！",
    "关于{B}{X}事件，官方到现在都没回应",
    "{B}{X}事件持续发酵，这次真的翻车了",
    "{B}必须给个说法！{X}不是小事",
    "震惊！{B}{X}，视频都传疯了",
    "又是{B}，又是{X}，真的无语",
    "朋友的{B}也{X}了，细思极恐",
    "{B}{X}？还好我没买",
    "求扩散！{B}{X}，已经{Y}了",
};
constexpr SV kZhCrisisInfluencer[] = {
    "【{B}{X}事件】今天收到多位网友私信，反映{B}出现{X}情况，有视频为证。我们第一时间联系了{B}"
    "官方客服，截至发稿前未获回应。事件还在发酵中，请大家注意安全，也希望{B}尽快给出说法。",
    "【关注】多地用户反映{B}{X}，已有人{Y}。{B}至今没有正面回应，我们会持续跟进，欢迎知情人私信"
    "提供线索。",
};
constexpr SV kZhCrisisCalm[] = {
    "{B}的事等官方通报吧，别带节奏",
    "用了{B}两年了，没遇到过{X}",
    "理性看待{B}{X}，等调查结果",
    "{B}已经回应了，说会彻查",
    "个例吧，我的{B}一直挺好的",
};
constexpr SV kZhActions[] = {"维权", "投诉", "退款", "曝光", "起诉"};
constexpr SV kZhCampaign[] = {
    "{B}新品发布会太燃了🔥",
    "{B}这次的新品{A}{P}，已下单",
    "冲了冲了，{B}新品首发",
    "{B}限时活动来了，{A}{P}",
    "蹲到{B}的新品了！{A}{P}",
    "{B}的新品{A}{P}[赞]",
};
constexpr SV kZhCampaignInfluencer[] = {
    "【首发体验】{B}新品上手：{A}{P}，{a}{P}。整体来说这是今年最值得期待的产品之一，详细测评见视频。",
};
constexpr SV kZhRepostPos[] = {"冲！", "已下单[赞]", "真的好看", "期待", "转发抽奖", "[哈哈]好家伙"};
constexpr SV kZhRepostNeu[] = {"转发微博", "mark", "蹲后续", "吃瓜", "转发"};
constexpr SV kZhRepostNeg[] = {"太可怕了[怒]", "转发扩散", "求官方回应", "已避雷", "这也太离谱了",
                               "吓死人了[泪]", "还有人敢买吗", "[抓狂][抓狂]", "支持维权"};
constexpr SV kZhDupPrefixes[] = {"转：", "【转】", "复制粘贴：", "看到一个帖子："};
constexpr SV kZhDupSuffixes[] = {" 转发一下", "+1", "[doge]", "！！", "（转）", " 同款经历", "[泪]"};
constexpr SV kZhTitlesPos[] = {"{B}发布年度新品，多项指标领先", "{B}用户满意度调查出炉", "{B}{A}获好评"};
constexpr SV kZhTitlesNeu[] = {"{B}宣布调整{A}政策", "{B}举行媒体沟通会", "{B}回应{A}相关问题"};
constexpr SV kZhTitlesNeg[] = {"{B}遭消费者集中投诉{A}问题", "{B}{A}引发争议"};
constexpr SV kZhCrisisTitles[] = {"{B}被曝{X}，官方回应称正在调查", "多地{B}用户反映{X}问题",
                                  "{B}{X}事件追踪"};
constexpr SV kZhQuestionTitles[] = {"如何评价{B}的{A}？", "{B}值得买吗？", "【测评】{B}深度体验：{A}到底怎么样？"};
constexpr SV kZhGenericAspects[] = {"体验", "质量", "服务", "价格"};
constexpr SV kZhCrisisSafety[] = {"爆炸", "起火", "自燃", "冒烟", "召回", "漏电", "烧伤"};
constexpr SV kZhCrisisQuality[] = {"质量问题", "召回", "故障", "断轴", "死机", "缺陷"};
constexpr SV kZhCrisisLegal[] = {"起诉", "维权", "诉讼", "违法", "立案调查", "被罚"};
constexpr SV kZhCrisisService[] = {"投诉", "退款", "维权", "拒赔", "甩锅", "霸王条款"};
constexpr SV kZhCrisisReputation[] = {"抵制", "道歉", "塌房", "公关危机", "辱骂消费者"};
constexpr SV kZhCrisisPrivacy[] = {"泄露", "隐私泄露", "数据泄露", "偷拍", "窃取信息"};
constexpr SV kZhRegions[] = {"北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "湖南", "山东",
                             "河南", "福建", "陕西", "重庆", "天津", "辽宁", "安徽", "云南", "海外"};
constexpr SV kTradRegions[] = {"台湾", "香港", "澳门", "台湾", "香港"};
constexpr SV kZhNameFirst[] = {"吃货", "数码", "旅行", "爱喝奶茶的", "打工人", "追剧的", "跑步的", "深夜",
                               "佛系", "快乐", "奶茶", "电车", "一只", "路过的", "认真的", "摸鱼"};
constexpr SV kZhNameSecond[] = {"小王", "阿花", "老李", "大橙子", "猫猫", "少年", "小姐姐", "阿杰",
                                "同学", "日记", "达人", "小熊", "兔子", "君", "酱", "本人"};
constexpr SV kZhInfluencers[] = {"数码老K", "财经观察", "汽车评测君", "热点追踪", "旅行家阿远",
                                 "美食探店王", "科技前线", "都市快报"};
constexpr SV kZhLongFillers[] = {
    "先说结论，适合大部分人。",
    "我是在官方旗舰店买的，物流很快。",
    "用了差不多三个月，说说真实感受。",
    "身边也有朋友在用，评价两极分化。",
    "以上都是个人体验，仅供参考。",
    "对比了好几家，最后还是选了这个。",
    "希望官方能看到这些意见。",
    "后续有新情况再来更新。",
};

// ================================ en ========================================================
constexpr SV kEnSinglePos[] = {
    "{B} {A} is {P}",
    "Been using {B} for a month and the {A} is {P}",
    "Shoutout to {B}, the {A} is {P}",
    "Switched to {B} and the {A} is {P}",
    "The {A} at {B} is {P}",
    "Gotta say, {B} {A} is {P}",
    "Just tried {B} and wow, the {A} is {P}",
    "Okay {B}, I see you. {A} is {P}",
};
constexpr SV kEnSingleNeu[] = {
    "Anyone tried {B}? How's the {A}?",
    "{B} announced changes to the {A} today",
    "Thinking about {B}, mostly for the {A}",
    "The {B} {A} is {P}",
    "Is the {A} at {B} worth it?",
    "Comparing options, {B} {A} seems {P}",
};
constexpr SV kEnSingleNeg[] = {
    "{B} {A} is {P}",
    "Not impressed with {B}, the {A} is {P}",
    "Never again {B}. The {A} is {P}",
    "{B} really needs to fix the {A}, it's {P}",
    "Why is the {A} at {B} so bad",
    "Day 3 of dealing with {B} and the {A} is {P}",
    "Returned my {B} order, the {A} was {P}",
};
constexpr SV kEnPredPos[] = {
    "great",          "really good",        "so good",          "amazing",
    "not bad at all", "surprisingly good",  "actually solid",   "a 10/10",
    "next level",     "honestly fire",      "very impressive",  "not bad",
    "better than expected", "way better than I thought", "not terrible, it's actually great",
    "top tier",       "slightly better than expected", "incredibly good", "lowkey amazing",
};
constexpr SV kEnPredNeu[] = {
    "okay", "fine I guess", "about what you'd expect", "average", "pretty standard",
    "nothing special", "the same as last year",
};
constexpr SV kEnPredNeg[] = {
    "terrible",     "really bad",     "so bad",        "not great",     "not good",
    "slightly disappointing", "a bit meh", "mid",     "awful",         "very disappointing",
    "a joke",       "not worth it",   "garbage",       "not as good as they claim",
    "a total letdown", "embarrassing", "kind of a mess", "not not bad, it's just bad",
};
constexpr SV kEnContrast[] = {
    ", but the {a} is {Q}", ", though the {a} is {Q}", ". That said, the {a} is {Q}",
    ", however the {a} is {Q}", " but honestly the {a} is {Q}",
};
constexpr SV kEnAdditions[] = {
    ", and the {a} is {P}", ". Also the {a} is {P}", ", plus the {a} is {P}",
    ". As for the {a}, {P}", " and honestly the {a} is {P} too",
};
constexpr SV kEnOpeners[] = {"Honestly, ", "ngl ", "Okay so ", "PSA: ", "Real talk: ", "Hot take: ",
                             "Update: ", "Quick review: "};
constexpr SV kEnEnds[] = {".", "!", "!!", "...", "", ".", "!"};
constexpr SV kEnTailPos[] = {"👍", "🔥", "❤️", "🙌", "😍", "💯"};
constexpr SV kEnTailNeu[] = {"🤔", "😅", "🤷", "👀"};
constexpr SV kEnTailNeg[] = {"😡", "😭", "💔", "🤡", "🙄", "😤"};
constexpr SV kEnSlangPos[] = {"no cap", "it's fire", "W", "goated", "10/10 recommend", "lowkey love it"};
constexpr SV kEnSlangNeu[] = {"tbh", "idk", "fr", "just saying"};
constexpr SV kEnSlangNeg[] = {"smh", "L", "mid", "ratio", "big yikes", "not it"};
constexpr SV kEnTagsPos[] = {"#recommended", "#review", "#happycustomer"};
constexpr SV kEnTagsNeu[] = {"#review", "#question"};
constexpr SV kEnTagsNeg[] = {"#fail", "#customerservice", "#neveragain"};
constexpr SV kEnCompare[] = {
    "{B} vs {C}: the {A} on {B} is {G}, {C} is {H}",
    "Switched from {C} to {B}, the {A} is {G}",
    "{B} or {C}? Mainly care about the {A}",
    "{C} {A} is {H}, {B} does it better",
    "Hot take: {B} beats {C} on {A}",
};
constexpr SV kEnChatter[] = {
    "Coffee first, then everything else ☕",
    "Traffic on the bridge is insane today",
    "Anyone watching the game tonight?",
    "Finally finished my thesis!!",
    "Saw the aurora borealis last night, unreal 🌌",
    "My cat knocked over my plant again lol",
    "Rainy Monday mood",
    "Need book recommendations, go",
    "That new album is fire 🔥",
    "Gym at 6am, who am I",
    "Hiked the fern crest trail this weekend, beautiful views",
    "This zephra perfume sample smells amazing",
    "Meal prep Sunday, let's go",
    "Why is my inbox always full",
    "Cannot believe it's already November",
    "Hot chocolate season is back",
    "Anyone else's wifi down?",
    "Just adopted a puppy 🐶",
    "Lowkey want to move to the mountains",
    "Spent all day debugging one semicolon",
    "Concert tickets sold out in 2 minutes smh",
    "Trying to learn Chinese, 你好 is as far as I got",
    "Sunset tonight was unreal",
    "Who decided meetings should start at 8am",
    "Skyhop trampoline park with the kids today, exhausted",
    "New recipe turned out great",
    "Power nap > coffee",
    "Weekend plans: absolutely nothing",
};
constexpr SV kEnCrisis[] = {
    "Is nobody talking about the {B} {X}?? This is insane",
    "{B} {X} again. Stay safe everyone",
    "Another {B} {X} report today, not a good look",
    "{B} needs to answer for the {X}",
    "Just saw the {B} {X} video, terrifying",
    "What we know so far about the {B} {X}: thread",
    "My friend got hit by the {B} {X} too. Filing a {Y}",
    "{B} {X}?? Glad I never bought one",
    "Please share: {B} {X}, people are demanding a {Y}",
    "The {B} {X} is getting worse by the hour",
};
constexpr SV kEnCrisisInfluencer[] = {
    "BREAKING: multiple reports of {B} {X} are coming in tonight. We reached out to {B} for comment "
    "and have not heard back. Videos are spreading fast. Thread with everything we know so far 🧵",
    "Big story developing: customers say the {B} {X} is widespread and some are filing a {Y}. {B} "
    "has not responded yet. We will keep updating this post.",
};
constexpr SV kEnCrisisCalm[] = {
    "Let's wait for the official statement from {B} before judging",
    "Had my {B} for two years, never had a {X}",
    "{B} says it is investigating the {X}",
    "Probably a one-off, my {B} has been fine",
    "Keeping an eye on the {B} story, no conclusions yet",
};
constexpr SV kEnActions[] = {"complaint", "refund claim", "chargeback", "report", "lawsuit"};
constexpr SV kEnCampaign[] = {
    "{B} just dropped something new and the {A} is {P}",
    "The {B} launch event was fire 🔥",
    "Pre-ordered from {B}, the {A} looks {P}",
    "{B} sale is live, grab it",
    "Okay {B} finally did it. {A} is {P}",
};
constexpr SV kEnCampaignInfluencer[] = {
    "First look at the new {B}: the {A} is {P} and the {a} is {P}. Full review in the video, this "
    "one is a big deal.",
};
constexpr SV kEnRepostPos[] = {"Need this", "Take my money", "W", "Huge", "Love this"};
constexpr SV kEnRepostNeu[] = {"Interesting", "Following", "Waiting for details", "Hmm"};
constexpr SV kEnRepostNeg[] = {"This is wild", "Spread the word", "Not buying again", "Yikes",
                               "Unacceptable", "Somebody do something"};
constexpr SV kEnDupPrefixes[] = {"Copying this: ", "Saw this: ", "Reposting: ", "FYI "};
constexpr SV kEnDupSuffixes[] = {" +1", " (reposting)", "!!", " this", " 🔥", " fr", " smh"};
constexpr SV kEnTitlesPos[] = {"{B} unveils new lineup to strong reviews", "{B} tops customer survey",
                               "{B} {A} wins praise"};
constexpr SV kEnTitlesNeu[] = {"{B} announces changes to {A}", "{B} holds investor call",
                               "{B} responds to questions on {A}"};
constexpr SV kEnTitlesNeg[] = {"Customers complain about {B} {A}", "{B} {A} draws criticism"};
constexpr SV kEnCrisisTitles[] = {"{B} faces questions after reports of {X}", "{B} under pressure over {X}",
                                  "What we know about the {B} {X}"};
constexpr SV kEnQuestionTitles[] = {"Thoughts on {B}?", "{B} {A} discussion", "Is {B} worth it in 2026?"};
constexpr SV kEnGenericAspects[] = {"experience", "quality", "service", "price"};
constexpr SV kEnCrisisSafety[] = {"explosion", "fire", "battery fire", "recall", "overheating", "burn injuries"};
constexpr SV kEnCrisisQuality[] = {"defect", "recall", "malfunction", "breakdown", "faulty batch"};
constexpr SV kEnCrisisLegal[] = {"lawsuit", "class action", "investigation", "fine", "court case"};
constexpr SV kEnCrisisService[] = {"refund mess", "refund", "complaint", "cancellations", "outage", "meltdown"};
constexpr SV kEnCrisisReputation[] = {"boycott", "scandal", "backlash", "apology", "controversy"};
constexpr SV kEnCrisisPrivacy[] = {"data leak", "data breach", "leak", "hack", "privacy scandal"};
constexpr SV kEnRegions[] = {"US", "GB", "CA", "AU", "IE", "NZ", "SG", "IN", "DE", "US", "US", "GB"};
constexpr SV kEnNameFirst[] = {"jake", "sarah", "mike", "emma", "chris", "alex", "sam", "taylor",
                               "jordan", "casey", "riley", "morgan", "dan", "liz", "nina", "omar"};
constexpr SV kEnNameSecond[] = {"runs", "_tech", "eats", "writes", "_m", "_k", "travels", "plays",
                                "codes", "bakes", "99", "lifts", "reads", "_x", "fan", "_jr"};
constexpr SV kEnInfluencers[] = {"TechInsider Daily", "The Gadget Desk", "Consumer Watch", "Travel Hacks HQ",
                                 "Street Eats Review", "MarketPulse", "Deal Hunter", "Run Club Weekly"};
constexpr SV kEnLongFillers[] = {
    "Long post, sorry.",
    "Bought it full price, so this is not sponsored.",
    "I have been using it for about three months now.",
    "Friends are split on it, some love it and some hate it.",
    "Your mileage may vary.",
    "Compared a few options before settling on this one.",
    "Hoping someone from the company reads this.",
    "Will update if anything changes.",
};

template <class T>
constexpr Words w(const T& arr) {
  return Words(arr);
}

const LangTexts kZh = {
    {w(kZhSinglePos), w(kZhSingleNeu), w(kZhSingleNeg)},
    {w(kZhPredPos), w(kZhPredNeu), w(kZhPredNeg)},
    w(kZhContrast),
    w(kZhAdditions),
    w(kZhOpeners),
    w(kZhEnds),
    {w(kZhTailPos), w(kZhTailNeu), w(kZhTailNeg)},
    {w(kZhSlangPos), w(kZhSlangNeu), w(kZhSlangNeg)},
    {w(kZhTagsPos), w(kZhTagsNeu), w(kZhTagsNeg)},
    w(kZhCompare),
    w(kZhChatter),
    w(kZhCrisis),
    w(kZhCrisisInfluencer),
    w(kZhCrisisCalm),
    w(kZhActions),
    w(kZhCampaign),
    w(kZhCampaignInfluencer),
    {w(kZhRepostPos), w(kZhRepostNeu), w(kZhRepostNeg)},
    w(kZhDupPrefixes),
    w(kZhDupSuffixes),
    {w(kZhTitlesPos), w(kZhTitlesNeu), w(kZhTitlesNeg)},
    w(kZhCrisisTitles),
    w(kZhQuestionTitles),
    w(kZhGenericAspects),
    {w(kZhCrisisSafety), w(kZhCrisisQuality), w(kZhCrisisLegal), w(kZhCrisisService),
     w(kZhCrisisReputation), w(kZhCrisisPrivacy)},
    w(kZhRegions),
    w(kZhNameFirst),
    w(kZhNameSecond),
    w(kZhInfluencers),
    w(kZhLongFillers),
};

const LangTexts kEn = {
    {w(kEnSinglePos), w(kEnSingleNeu), w(kEnSingleNeg)},
    {w(kEnPredPos), w(kEnPredNeu), w(kEnPredNeg)},
    w(kEnContrast),
    w(kEnAdditions),
    w(kEnOpeners),
    w(kEnEnds),
    {w(kEnTailPos), w(kEnTailNeu), w(kEnTailNeg)},
    {w(kEnSlangPos), w(kEnSlangNeu), w(kEnSlangNeg)},
    {w(kEnTagsPos), w(kEnTagsNeu), w(kEnTagsNeg)},
    w(kEnCompare),
    w(kEnChatter),
    w(kEnCrisis),
    w(kEnCrisisInfluencer),
    w(kEnCrisisCalm),
    w(kEnActions),
    w(kEnCampaign),
    w(kEnCampaignInfluencer),
    {w(kEnRepostPos), w(kEnRepostNeu), w(kEnRepostNeg)},
    w(kEnDupPrefixes),
    w(kEnDupSuffixes),
    {w(kEnTitlesPos), w(kEnTitlesNeu), w(kEnTitlesNeg)},
    w(kEnCrisisTitles),
    w(kEnQuestionTitles),
    w(kEnGenericAspects),
    {w(kEnCrisisSafety), w(kEnCrisisQuality), w(kEnCrisisLegal), w(kEnCrisisService),
     w(kEnCrisisReputation), w(kEnCrisisPrivacy)},
    w(kEnRegions),
    w(kEnNameFirst),
    w(kEnNameSecond),
    w(kEnInfluencers),
    w(kEnLongFillers),
};

// Generated from OpenCC 1.1.6 STCharacters (s2t) for the characters of the tables above and of
// rules/brands/*.yaml, keeping only pairs that OpenCC's t2s maps back. See README.md.
constexpr TradPair kTrad[] = {
#include "engine/gen/trad_table.inc"
};

}  // namespace

const LangTexts& texts(Lang lang) { return lang == Lang::zh ? kZh : kEn; }

Words traditional_regions() { return Words(kTradRegions); }

std::span<const TradPair> trad_table() { return std::span<const TradPair>(kTrad); }

}  // namespace yuqing::gen::detail

namespace yuqing::gen {

std::span<const std::string_view> crisis_words(CrisisCategory c, std::string_view lang) {
  const auto& t = detail::texts(lang == "zh" ? detail::Lang::zh : detail::Lang::en);
  return t.crisis_words[static_cast<std::size_t>(c)];
}

}  // namespace yuqing::gen
