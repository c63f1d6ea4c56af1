package form

import (
	"fmt"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/survey"
)

// messages are the pages' own words in one locale.
type messages struct {
	// LangName is the language's own name, on the switch to it.
	LangName                                                                                   string
	Lang, Comma, Intro, Required, RequiredMark, Optional, ChooseAll, Comment, Honeypot, Submit string
	// Invalid, Changed and Summary are shown above a form sent back with errors.
	Summary, Invalid, Changed string
	// Fix are the messages next to a question (TooLong and Range take numbers).
	Choose, TooLong, Range string
	// Scale anchors: the meaning of a scale's ends, per question type.
	NPS, CSAT, Likert [2]string
	// Pages are the message pages' heading and text.
	Pages map[pageKind][2]string
}

func (t *messages) scaleHint(typ string, lo, hi int) string {
	a := t.Likert
	switch typ {
	case survey.TypeNPS:
		a = t.NPS
	case survey.TypeCSAT:
		a = t.CSAT
	}
	return fmt.Sprintf("%d = %s%s%d = %s", lo, a[0], t.Comma, hi, a[1])
}

func (t *messages) invalidAnswer(fd *field) string {
	switch fd.Control {
	case "scale":
		return fmt.Sprintf(t.Range, fd.Options[0].Value, fd.Options[len(fd.Options)-1].Value)
	case "choice":
		return t.Choose
	}
	return fmt.Sprintf(t.TooLong, survey.MaxTextAnswer)
}

// texts are the pages' own words in each locale.
var texts = i18n.Texts[*messages]{
	i18n.English: {
		LangName:     "English",
		Lang:         i18n.English,
		Comma:        ", ",
		Intro:        "Thank you for taking a minute to tell us how we did.",
		Required:     "Please answer this question.",
		RequiredMark: "required",
		Optional:     "optional",
		ChooseAll:    "Choose all that apply.",
		Comment:      "Anything else you would like to tell us?",
		Honeypot:     "Leave this field empty",
		Submit:       "Send my answers",
		Summary:      "Some answers need another look:",
		Invalid:      "Your answers could not be sent as they are. Please check them and send them again.",
		Changed:      "This survey changed while you were answering. Please check your answers and send them again.",
		Choose:       "Please choose from the options shown.",
		TooLong:      "Please keep this under %d characters.",
		Range:        "Please choose a number from %s to %s.",
		NPS:          [2]string{"not at all likely", "extremely likely"},
		CSAT:         [2]string{"very dissatisfied", "very satisfied"},
		Likert:       [2]string{"lowest", "highest"},
		Pages: map[pageKind][2]string{
			pageThanks:      {"Thank you!", "Your answers have been received. We appreciate your feedback."},
			pageUsed:        {"Already answered", "This survey has already been answered. Thank you for your feedback!"},
			pageExpired:     {"This link has expired", "This survey is no longer open for answers."},
			pageNotFound:    {"Survey not found", "This link is not valid. Please check that you opened the whole address."},
			pageCapped:      {"Too many responses today", "This survey link has received as many responses as it can take today. Please try again tomorrow."},
			pageUnavailable: {"Please try again", "Something went wrong on our side. Please go back and try again in a moment."},
			pageUnreadable:  {"Your answers could not be read", "Please go back and send the form again."},
		},
	},
	i18n.Chinese: {
		LangName:     "中文",
		Lang:         i18n.Chinese,
		Comma:        "，",
		Intro:        "感谢您抽出一分钟告诉我们您的体验。",
		Required:     "请回答此问题。",
		RequiredMark: "必填",
		Optional:     "选填",
		ChooseAll:    "可多选。",
		Comment:      "还有什么想告诉我们的吗？",
		Honeypot:     "请勿填写此栏",
		Submit:       "提交",
		Summary:      "部分回答需要修改：",
		Invalid:      "您的回答未能提交，请检查后重新提交。",
		Changed:      "问卷在您作答期间已更新，请检查您的回答后重新提交。",
		Choose:       "请从所列选项中选择。",
		TooLong:      "请不要超过 %d 个字。",
		Range:        "请选择 %s 到 %s 之间的数字。",
		NPS:          [2]string{"完全不可能", "非常可能"},
		CSAT:         [2]string{"非常不满意", "非常满意"},
		Likert:       [2]string{"最低", "最高"},
		Pages: map[pageKind][2]string{
			pageThanks:      {"感谢您的反馈！", "我们已收到您的回答，衷心感谢您的宝贵意见。"},
			pageUsed:        {"问卷已提交", "此问卷已经回答过了，感谢您的参与！"},
			pageExpired:     {"链接已过期", "此问卷已停止收集回答。"},
			pageNotFound:    {"未找到问卷", "此链接无效，请检查链接地址是否完整。"},
			pageCapped:      {"今日回答已满", "此问卷链接今天收到的回答已达上限，请明天再试。"},
			pageUnavailable: {"请稍后再试", "系统暂时无法处理您的请求，请返回并稍后重试。"},
			pageUnreadable:  {"无法读取您的回答", "请返回并重新提交表单。"},
		},
	},
}
