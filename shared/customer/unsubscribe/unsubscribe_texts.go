package unsubscribe

import "github.com/rapport-crm/rapport/shared/i18n"

// unsubscribeWords are the pages' texts in one language.
type unsubscribeWords struct {
	Lang string
	// Name is the language's own name, on the link to it.
	Name     string
	Button   string
	Keep     string
	Channels map[string]string
	// Pages are each state's heading and body; the confirmation's and the done page's
	// bodies name the channel (%s).
	Pages map[unsubscribeState][2]string
}

// unsubscribeTexts are the pages' texts in each language.
var unsubscribeTexts = i18n.Texts[*unsubscribeWords]{
	i18n.English: {
		Lang: i18n.English, Name: "English",
		Button:   "Unsubscribe",
		Keep:     "Changed your mind? Just close this page: nothing changes until you press the button.",
		Channels: map[string]string{"email": "email", "sms": "text message", "webhook": "messaging app"},
		Pages: map[unsubscribeState][2]string{
			unsubscribeConfirm:     {"Unsubscribe?", "You will no longer receive messages from us by %s."},
			unsubscribeDone:        {"You are unsubscribed", "You will no longer receive messages from us by %s. To hear from us again, ask us to sign you up again."},
			unsubscribeInvalid:     {"Link not valid", "This unsubscribe link is not valid. Please check that you opened all of it."},
			unsubscribeExpired:     {"Link expired", "This unsubscribe link has expired. Please use the link in a more recent message, or contact us."},
			unsubscribeUnavailable: {"Please try again", "We could not do this just now. Please try again in a minute."},
		},
	},
	i18n.Chinese: {
		Lang: i18n.Chinese, Name: "中文",
		Button:   "确认退订",
		Keep:     "改变主意了？直接关闭本页即可：在您按下按钮之前，什么都不会改变。",
		Channels: map[string]string{"email": "电子邮件", "sms": "短信", "webhook": "即时通讯应用"},
		Pages: map[unsubscribeState][2]string{
			unsubscribeConfirm:     {"确认退订？", "退订后，您将不再通过%s收到我们的消息。"},
			unsubscribeDone:        {"您已退订", "您将不再通过%s收到我们的消息。如需重新订阅，请联系我们。"},
			unsubscribeInvalid:     {"链接无效", "此退订链接无效，请确认链接完整。"},
			unsubscribeExpired:     {"链接已过期", "此退订链接已过期，请使用较新消息中的链接，或联系我们。"},
			unsubscribeUnavailable: {"请稍后再试", "暂时无法处理您的请求，请稍后再试。"},
		},
	},
}
