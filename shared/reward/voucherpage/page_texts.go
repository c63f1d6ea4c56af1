package voucherpage

import (
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/reward"
)

// pageWords are the voucher page's texts in one language.
type pageWords struct {
	Lang string
	// Name is the language's own name, on the link to it.
	Name string
	// Pages are each state's heading and body.
	Pages                          map[pageState][2]string
	Others, Show                   string
	Status, Until, Where, Code, QR string
	Everywhere                     string
	Statuses                       map[string]string
}

// pageTexts are the voucher page's texts in each language.
var pageTexts = i18n.Texts[*pageWords]{
	i18n.English: {
		Lang: i18n.English, Name: "English",
		Pages: map[pageState][2]string{
			pageShown:       {"Your voucher", ""},
			pageInvalid:     {"Link not valid", "This voucher link is not valid. Please check that you opened all of it."},
			pageExpired:     {"Link expired", "This voucher link has expired. Please use the link in a more recent message, or contact us."},
			pageUnavailable: {"Please try again", "We could not show your voucher just now. Please try again in a minute."},
		},
		Others: "Your other vouchers",
		Show:   "Show the code or the QR image at the counter. Each voucher can be used once.",
		Status: "Status", Until: "Valid until", Where: "Where", Code: "Voucher code", QR: "QR image of the code",
		Everywhere: "All our locations",
		Statuses: map[string]string{reward.StatusIssued: "Ready to use", reward.StatusRedeemed: "Used", reward.StatusExpired: "Expired",
			reward.StatusCancelled: "Cancelled"},
	},
	i18n.Chinese: {
		Lang: i18n.Chinese, Name: "中文",
		Pages: map[pageState][2]string{
			pageShown:       {"您的优惠券", ""},
			pageInvalid:     {"链接无效", "此优惠券链接无效，请确认链接完整。"},
			pageExpired:     {"链接已过期", "此优惠券链接已过期，请使用较新消息中的链接，或联系我们。"},
			pageUnavailable: {"请稍后再试", "暂时无法显示您的优惠券，请稍后再试。"},
		},
		Others: "您的其他优惠券",
		Show:   "结账时请出示券码或二维码。每张优惠券仅可使用一次。",
		Status: "状态", Until: "有效期至", Where: "适用门店", Code: "券码", QR: "券码二维码",
		Everywhere: "所有门店",
		Statuses: map[string]string{reward.StatusIssued: "可使用", reward.StatusRedeemed: "已使用", reward.StatusExpired: "已过期",
			reward.StatusCancelled: "已作废"},
	},
}
