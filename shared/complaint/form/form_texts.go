package form

import "github.com/rapport-crm/rapport/shared/i18n"

// fixes are the messages next to a field, by field id (%d: the field's maximum).
var fixes = map[string]i18n.Texts[string]{
	"category":    {i18n.English: "Please choose what your complaint is about.", i18n.Chinese: "请选择投诉类别。"},
	"severity":    {i18n.English: "Please choose one of the options shown.", i18n.Chinese: "请从所列选项中选择。"},
	"description": {i18n.English: "Please tell us what happened.", i18n.Chinese: "请描述发生了什么。"},
	"name":        {i18n.English: "Please tell us your name.", i18n.Chinese: "请填写您的姓名。"},
	"phone":       {i18n.English: "Please enter a phone number, e.g. +86 138 0013 8000.", i18n.Chinese: "请填写有效的电话号码，例如 138 0013 8000。"},
	"email":       {i18n.English: "Please enter an email address, e.g. name@example.com.", i18n.Chinese: "请填写有效的电子邮箱，例如 name@example.com。"},
}

// tooLong is the message next to a field longer than its maximum (%d: the maximum, then
// the length sent).
var tooLong = i18n.Texts[string]{i18n.English: "Please shorten this to at most %d characters (it has %d).", i18n.Chinese: "请精简到 %d 字以内（目前 %d 字）。"}

// The labels of the default taxonomy, severities, statuses and public timeline
// events, by id, and the help shown with a status on the tracking page.
var (
	categoryLabels = map[string]i18n.Texts[string]{
		"service_attitude": {i18n.English: "Staff attitude", i18n.Chinese: "服务态度"},
		"product_quality":  {i18n.English: "Product quality", i18n.Chinese: "产品质量"},
		"billing":          {i18n.English: "Billing and payment", i18n.Chinese: "账单与收费"},
		"facilities":       {i18n.English: "Facilities", i18n.Chinese: "设施环境"},
		"waiting_time":     {i18n.English: "Waiting time", i18n.Chinese: "等候时间"},
		"safety":           {i18n.English: "Safety", i18n.Chinese: "安全问题"},
		"other":            {i18n.English: "Something else", i18n.Chinese: "其他"},
	}
	severityLabels = map[string]i18n.Texts[string]{
		"low":      {i18n.English: "Minor", i18n.Chinese: "轻微"},
		"normal":   {i18n.English: "Normal", i18n.Chinese: "一般"},
		"high":     {i18n.English: "Serious", i18n.Chinese: "严重"},
		"critical": {i18n.English: "Urgent: a risk to safety or health", i18n.Chinese: "紧急：涉及安全或健康"},
	}
	statusLabels = map[string]i18n.Texts[string]{
		"received":         {i18n.English: "Received", i18n.Chinese: "已收到"},
		"acknowledged":     {i18n.English: "Acknowledged", i18n.Chinese: "已确认"},
		"in_progress":      {i18n.English: "Being handled", i18n.Chinese: "处理中"},
		"pending_customer": {i18n.English: "Waiting for your reply", i18n.Chinese: "等待您的回复"},
		"resolved":         {i18n.English: "Resolved", i18n.Chinese: "已解决"},
		"closed":           {i18n.English: "Closed", i18n.Chinese: "已结案"},
	}
	statusHelp = map[string]i18n.Texts[string]{
		"received":         {i18n.English: "We have your complaint and will look at it soon.", i18n.Chinese: "我们已收到您的投诉，将尽快处理。"},
		"acknowledged":     {i18n.English: "Our team has seen your complaint and will handle it.", i18n.Chinese: "我们的团队已确认您的投诉，并将跟进处理。"},
		"in_progress":      {i18n.English: "We are working on your complaint.", i18n.Chinese: "我们正在处理您的投诉。"},
		"pending_customer": {i18n.English: "We need more information from you. Please look out for our message.", i18n.Chinese: "我们需要您提供更多信息，请留意我们的消息。"},
		"resolved":         {i18n.English: "We have resolved your complaint. Thank you for your patience.", i18n.Chinese: "您的投诉已处理完毕，感谢您的耐心。"},
		"closed":           {i18n.English: "This complaint is closed.", i18n.Chinese: "此投诉已结案。"},
	}
	eventLabels = map[string]i18n.Texts[string]{
		"received":       {i18n.English: "Complaint received", i18n.Chinese: "投诉已提交"},
		"acknowledge":    {i18n.English: "Acknowledged", i18n.Chinese: "已确认收到"},
		"start":          {i18n.English: "Work started", i18n.Chinese: "开始处理"},
		"await_customer": {i18n.English: "Waiting for your reply", i18n.Chinese: "等待您的回复"},
		"resume":         {i18n.English: "Work resumed", i18n.Chinese: "继续处理"},
		"resolve":        {i18n.English: "Resolved", i18n.Chinese: "已解决"},
		"close":          {i18n.English: "Closed", i18n.Chinese: "已结案"},
		"reopen":         {i18n.English: "Reopened", i18n.Chinese: "重新处理"},
		"note":           {i18n.English: "Update from our team", i18n.Chinese: "处理进展"},
		"update":         {i18n.English: "Update", i18n.Chinese: "更新"},
	}
)

// words are the pages' own words in one locale.
type words struct {
	// DateTime and Zone (the zone's name) make a time; Comma separates within Zone.
	Lang, LangName, DateTime, Zone, Comma string
	// Service names the pages in the header when no location does (an unknown link).
	Service string
	// The form.
	Title, Intro, Required, Optional, Choose, Category, Severity, Description, DescriptionHint string
	Contact, ContactHint, Name, Phone, Email, Honeypot, Submit, Summary, Invalid               string
	// The thank-you page and banner. StartBy says when an unreachable customer's case
	// is to be looked at; NoContact (on the page) and NoContactLink (the bot's thank-you
	// page) that the tracking link is their only way to follow it; KeepPage asks to keep
	// the page's link.
	ThanksHeading, ThanksBody, YourReference, ReplyBy, StartBy, Follow, KeepLink, KeepPage string
	NoContact, NoContactLink                                                               string
	// The tracking page.
	TrackHeading, Reference, Status, CategoryLabel, Received, Updated, Resolution, History string
	// NewForm is the link back to the form on some message pages.
	NewForm string
	// Pages are the message pages' heading and text.
	Pages map[pageKind][2]string
}

// texts are the pages' own words in each locale.
var texts = i18n.Texts[*words]{
	i18n.English: {
		Lang: i18n.English, LangName: "English", DateTime: "2 Jan 2006, 15:04", Zone: " (%s)", Comma: ", ",
		Service:         "Complaints",
		Title:           "Tell us what went wrong",
		Intro:           "We read every complaint. After sending you get a reference number and a page that shows how your complaint is handled.",
		Required:        "required",
		Optional:        "optional",
		Choose:          "Choose…",
		Category:        "What is it about?",
		Severity:        "How serious is it?",
		Description:     "What happened?",
		DescriptionHint: "When and where it happened, who was involved, and what you would like us to do.",
		Contact:         "How can we reach you?",
		ContactHint:     "Leave a phone number or an email address so we can tell you how your complaint is resolved. We use them only for this complaint. Without either we cannot contact you: you can then follow your complaint only on the page its link opens.",
		Name:            "Your name",
		Phone:           "Phone",
		Email:           "Email",
		Honeypot:        "Leave this field empty",
		Submit:          "Send complaint",
		Summary:         "Please check the following:",
		Invalid:         "Your complaint could not be sent as it is. Please check it and send it again.",
		ThanksHeading:   "Thank you, we have received your complaint",
		ThanksBody:      "We are sorry about your experience. Our team will look into it.",
		YourReference:   "Your reference number",
		ReplyBy:         "We will get back to you by %s.",
		StartBy:         "We will start looking into it by %s.",
		Follow:          "Follow your complaint",
		KeepLink:        "Keep the reference number. The link shows what we have done so far.",
		KeepPage:        "Keep the reference number, and bookmark this page or copy its link: it shows what we have done so far.",
		NoContact:       "We have no phone number or email address for you, so we cannot contact you about this complaint. You can follow it only on this page: bookmark it or copy its link, and keep the reference number.",
		NoContactLink:   "We have no phone number or email address for you, so we cannot contact you about this complaint. You can follow it only by the link below: keep it, and the reference number.",
		TrackHeading:    "Your complaint",
		Reference:       "Reference",
		Status:          "Status",
		CategoryLabel:   "About",
		Received:        "Received",
		Updated:         "Last update",
		Resolution:      "How we resolved it",
		History:         "What has happened",
		NewForm:         "Open the complaint form",
		Pages: map[pageKind][2]string{
			pageUnavailable: {"Please try again", "Something went wrong on our side. Please go back and try again in a moment."},
			pageNoForm:      {"Form not found", "This complaint form does not exist. Please check that you opened the whole address."},
			pageNoCase:      {"Complaint not found", "This tracking link is not valid. Please check that you opened the whole address."},
			pageBusy:        {"Your complaint is being sent", "Please wait a moment, then reload this page to see your reference number."},
			pageSent:        {"Already sent", "This form has already been sent. To make another complaint, open the form again."},
			pageThrottled:   {"Too many complaints right now", "We are receiving many complaints at the moment. Please go back and try again in a minute."},
			pageUnreadable:  {"Your complaint could not be read", "Please open the form again and send it once more."},
		},
	},
	i18n.Chinese: {
		Lang: i18n.Chinese, LangName: "中文", DateTime: "2006年1月2日 15:04", Zone: "（%s）", Comma: "，",
		Service:         "投诉服务",
		Title:           "告诉我们哪里出了问题",
		Intro:           "我们会认真处理每一条投诉。提交后您将获得投诉编号，以及一个可查看处理进度的页面。",
		Required:        "必填",
		Optional:        "选填",
		Choose:          "请选择…",
		Category:        "投诉类别",
		Severity:        "严重程度",
		Description:     "发生了什么？",
		DescriptionHint: "请写明时间、地点、涉及的人员，以及您希望我们如何处理。",
		Contact:         "如何联系您？",
		ContactHint:     "请留下手机号码或电子邮箱，以便我们告知处理结果。仅用于处理本次投诉。如两者都不填写，我们将无法联系您，您只能通过投诉的查询链接查看处理进度。",
		Name:            "您的姓名",
		Phone:           "手机号码",
		Email:           "电子邮箱",
		Honeypot:        "请勿填写此栏",
		Submit:          "提交投诉",
		Summary:         "请检查以下内容：",
		Invalid:         "您的投诉未能提交，请检查后重新提交。",
		ThanksHeading:   "感谢您的反馈，我们已收到您的投诉",
		ThanksBody:      "给您带来不便，我们深表歉意。我们的团队会尽快处理。",
		YourReference:   "您的投诉编号",
		ReplyBy:         "我们将于 %s 前回复您。",
		StartBy:         "我们将于 %s 前开始处理。",
		Follow:          "查询处理进度",
		KeepLink:        "请保留投诉编号。通过此链接可以查看我们的处理进展。",
		KeepPage:        "请保留投诉编号，并将本页加入书签或复制本页链接，以便查看我们的处理进展。",
		NoContact:       "我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能在本页查看处理进度：请将本页加入书签或复制本页链接，并保留投诉编号。",
		NoContactLink:   "我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能通过下方链接查看处理进度：请保存该链接和投诉编号。",
		TrackHeading:    "您的投诉",
		Reference:       "投诉编号",
		Status:          "状态",
		CategoryLabel:   "类别",
		Received:        "提交时间",
		Updated:         "最近更新",
		Resolution:      "处理结果",
		History:         "处理记录",
		NewForm:         "打开投诉表单",
		Pages: map[pageKind][2]string{
			pageUnavailable: {"请稍后再试", "系统暂时无法处理您的请求，请返回并稍后重试。"},
			pageNoForm:      {"未找到投诉表单", "此投诉表单不存在，请检查链接地址是否完整。"},
			pageNoCase:      {"未找到投诉", "此查询链接无效，请检查链接地址是否完整。"},
			pageBusy:        {"正在提交您的投诉", "请稍候片刻，然后刷新此页面查看您的投诉编号。"},
			pageSent:        {"已提交", "此表单已经提交过了。如需再次投诉，请重新打开表单。"},
			pageThrottled:   {"当前投诉较多", "我们目前收到的投诉较多，请返回并在一分钟后重试。"},
			pageUnreadable:  {"无法读取您的投诉", "请重新打开表单并再次提交。"},
		},
	},
}
