/* demo_kb.c - the demo workspace's knowledge base: five categories
 * (shipping, refunds, accounts, payments, troubleshooting), each with a
 * Korean and an English section, and 52 short articles (26 Korean, 26
 * English) written for Sonnim's demo, two of them troubleshooting flows
 * (core/hc_flow.h).  bench/kb-queries.tsv asks questions
 * of it the way customers write them, naming the article (by title) each
 * should find; bench/kb.mjs prints the hit rates.
 *
 * demo_kb() runs inside init's write transaction (store/hc_store.h
 * writers); Markdown is rendered here like the API does.  One pass over a
 * constant table; a few hundred statements.
 */
#include "base/buf.h"
#include "cmd/cmd.h"
#include "base/util.h"
#include "core/hc_flow.h"
#include "core/markdown.h"
#include "store/hc_store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *ko, *en, *ko_desc, *en_desc;
} cats[] = {
    {"배송", "Shipping", "배송 기간, 조회, 지연", "Delivery times, tracking and delays"},
    {"반품과 환불", "Returns and refunds", "반품 신청과 환불 처리", "Returning items and getting your money back"},
    {"계정", "Account", "가입, 로그인, 개인정보", "Sign-up, sign-in and your profile"},
    {"결제", "Payments", "결제 수단, 영수증, 청구", "Payment methods, receipts and billing"},
    {"문제 해결", "Troubleshooting", "앱과 웹사이트 문제", "When the app or website misbehaves"},
};

/* cat: index into cats; locale "ko" or "en-us"; labels space-separated */
static const struct {
	int cat;
	const char *locale, *title, *labels, *body;
} arts[] = {
    /* shipping */
    {0, "ko", "배송 지연 안내", "배송 지연",
     "주문이 몰리는 시기에는 출고가 1~2일 늦어질 수 있습니다.\n\n- 평일 오후 2시 이전 주문: 당일 출고\n- 지연되면 문자로 알려 드립니다\n\n3일이 지나도 출고되지 않으면 고객센터로 문의해 주세요."},
    {0, "ko", "배송 조회 방법", "배송 조회 송장",
     "**마이페이지 > 주문 내역**에서 주문을 누르면 택배사와 송장 번호가 보입니다. 송장 번호를 누르면 택배사 화면에서 현재 위치를 확인할 수 있습니다."},
    {0, "ko", "배송 기간과 배송비", "배송 배송비",
     "일반 배송은 출고 후 1~3일이 걸립니다. 3만 원 이상 주문은 배송비가 무료이며, 그 미만은 3,000원입니다."},
    {0, "ko", "제주도와 도서 산간 배송", "배송 제주",
     "제주도와 도서 산간 지역은 추가 배송비 3,000원이 붙고, 배를 타야 하므로 1~2일 더 걸립니다."},
    {0, "ko", "배송지 주소 변경하기", "배송 주소",
     "출고 전이라면 **주문 내역**에서 배송지를 직접 바꿀 수 있습니다. 이미 출고되었다면 택배사에 연락해 주소 변경을 요청해 주세요."},
    {0, "en-us", "Where is my order? Tracking your package", "shipping tracking",
     "Open **Orders** in your account and pick the order. The carrier and tracking number are shown there; the number links to the carrier's live tracking page."},
    {0, "en-us", "Shipping times and costs", "shipping cost",
     "Standard delivery takes 1-3 business days after dispatch. Orders over $30 ship free; smaller orders pay a flat $3 shipping fee."},
    {0, "en-us", "My package is late", "shipping delay",
     "During sales, dispatch can slip by a day or two and we text you when it does. If nothing has moved for 5 days, contact us and we will trace the parcel with the carrier."},
    {0, "en-us", "International shipping", "shipping international",
     "We ship to 30 countries. Customs duties and import taxes are charged by your country and paid on delivery. International parcels take 5-12 days."},
    {0, "en-us", "Changing the delivery address", "shipping address",
     "Before dispatch you can edit the address in **Orders**. After dispatch, ask the carrier to redirect the parcel using the tracking number."},
    /* refunds */
    {1, "ko", "환불 정책 안내", "환불 정책",
     "상품을 받은 날부터 14일 이내에 반품을 신청하면 전액 환불해 드립니다. 사용했거나 포장이 훼손된 상품은 환불이 어려울 수 있습니다."},
    {1, "ko", "반품 신청 방법", "반품 환불",
     "1. **주문 내역**에서 반품할 상품을 고릅니다.\n2. 반품 사유를 적고 수거 날짜를 정합니다.\n3. 택배 기사님이 방문해 상품을 가져갑니다."},
    {1, "ko", "환불은 언제 들어오나요?", "환불 기간",
     "반품 상품이 물류센터에 도착해 검수가 끝나면 환불됩니다. 카드 결제는 영업일 기준 3~5일, 계좌이체는 1~2일 안에 돌려받습니다."},
    {1, "ko", "주문 취소하기", "취소 환불",
     "출고 전에는 **주문 내역**에서 바로 취소할 수 있고 결제 금액은 자동으로 환불됩니다. 출고된 뒤에는 반품으로 진행해 주세요."},
    {1, "ko", "교환 신청 방법", "교환 반품",
     "사이즈나 색상을 바꾸고 싶다면 교환을 신청하세요. 교환 배송비는 단순 변심일 때 고객 부담, 불량일 때 무료입니다."},
    {1, "en-us", "Refund policy", "refund policy",
     "Return an item within 14 days of delivery for a full refund. Items that were used or arrive without their original packaging may be refused."},
    {1, "en-us", "How to return an item", "return refund",
     "Go to **Orders**, choose the item, pick a reason and print the prepaid return label. Drop the parcel at any post office within 7 days."},
    {1, "en-us", "When will I get my money back?", "refund timing",
     "Refunds go out once the return is inspected, usually 2 days after it reaches us. Cards take 3-5 business days to show the credit; PayPal is instant."},
    {1, "en-us", "Cancelling an order", "cancel refund",
     "You can cancel from **Orders** until the order is dispatched; the payment is released automatically. After dispatch, return the item instead."},
    {1, "en-us", "Damaged or wrong item received", "return damaged",
     "Sorry about that! Send us a photo of the item and the box within 48 hours and we will ship a replacement or refund you, including shipping."},
    /* accounts */
    {2, "ko", "비밀번호 재설정", "계정 비밀번호",
     "로그인 화면의 **비밀번호 찾기**를 누르고 가입한 이메일을 입력하세요. 재설정 메일이 오지 않으면 스팸함을 확인해 주세요. 링크는 1시간 동안 유효합니다."},
    {2, "ko", "회원 탈퇴 방법", "계정 탈퇴",
     "**설정 > 계정 > 회원 탈퇴**에서 탈퇴할 수 있습니다. 진행 중인 주문이 있으면 탈퇴할 수 없고, 적립금은 탈퇴와 함께 사라집니다."},
    {2, "ko", "이메일 주소 변경", "계정 이메일",
     "**설정 > 계정**에서 새 이메일을 입력하면 인증 메일이 갑니다. 메일의 링크를 눌러야 변경이 완료됩니다."},
    {2, "ko", "2단계 인증 설정하기", "계정 보안",
     "2단계 인증을 켜면 로그인할 때 휴대폰으로 받은 6자리 코드를 한 번 더 입력합니다. **설정 > 보안**에서 켜고 끌 수 있습니다."},
    {2, "ko", "로그인이 안 될 때", "계정 로그인",
     "아이디와 비밀번호를 5번 틀리면 10분 동안 로그인이 잠깁니다. 잠시 뒤 다시 시도하거나 비밀번호를 재설정해 주세요."},
    {2, "en-us", "Resetting your password", "account password",
     "Click **Forgot password** on the sign-in page and enter your email. The reset link is valid for one hour; check your spam folder if it does not arrive."},
    {2, "en-us", "Deleting your account", "account delete",
     "Go to **Settings > Account > Delete account**. Accounts with open orders cannot be deleted, and store credit is lost when the account is closed."},
    {2, "en-us", "Changing your email address", "account email",
     "Enter the new address under **Settings > Account**. We send a confirmation link to it; the change takes effect once you click it."},
    {2, "en-us", "Two-factor authentication", "account security",
     "Turn on two-factor authentication under **Settings > Security**. After your password you will enter a 6-digit code from your phone."},
    {2, "en-us", "I can't sign in", "account login",
     "Five wrong passwords lock sign-in for 10 minutes. Wait and try again, or reset your password. Signing in with Google? Use the same Google account you registered with."},
    /* payments */
    {3, "ko", "결제 수단 안내", "결제 카드",
     "신용카드, 체크카드, 계좌이체, 카카오페이, 네이버페이로 결제할 수 있습니다. 무통장 입금은 주문 후 24시간 안에 입금해야 합니다."},
    {3, "ko", "영수증과 세금계산서 발급", "결제 영수증",
     "**주문 내역 > 영수증**에서 카드 영수증을 내려받을 수 있습니다. 사업자라면 주문할 때 세금계산서 발급을 선택해 주세요."},
    {3, "ko", "결제가 두 번 되었어요", "결제 중복",
     "결제 오류로 두 번 승인되었다면 하나는 보통 3일 안에 자동으로 취소됩니다. 그 뒤에도 남아 있으면 카드 승인 내역을 보내 주세요."},
    {3, "ko", "할부 결제가 되나요?", "결제 할부",
     "5만 원 이상 신용카드 결제는 2~12개월 할부를 고를 수 있고, 카드사 행사에 따라 무이자 할부가 적용됩니다."},
    {3, "ko", "쿠폰과 적립금 사용하기", "결제 쿠폰",
     "결제 화면에서 쿠폰을 고르고 적립금을 입력하세요. 쿠폰은 한 주문에 하나만 쓸 수 있고, 적립금은 1,000원 단위로 사용합니다."},
    {3, "en-us", "Accepted payment methods", "payment card",
     "We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Bank transfers must arrive within 24 hours of ordering."},
    {3, "en-us", "Downloading invoices and receipts", "payment invoice",
     "Every order has a PDF invoice under **Orders > Invoice**. Business customers can add a VAT number in **Settings > Billing** before ordering."},
    {3, "en-us", "I was charged twice", "payment duplicate",
     "A duplicate authorization usually disappears within 3 days without any action. If both charges are still there after that, send us your bank statement and we will refund one."},
    {3, "en-us", "Why was my card declined?", "payment declined",
     "Declines usually come from the bank: a wrong billing address, an expired card, or a limit on online purchases. Check the details or call your bank, then try again."},
    {3, "en-us", "Using coupons and gift cards", "payment coupon",
     "Enter a coupon code or gift card number at checkout. One coupon per order; gift card balances never expire and can pay for part of an order."},
    /* troubleshooting */
    {4, "ko", "앱이 자꾸 꺼져요", "문제해결 앱",
     "앱을 최신 버전으로 업데이트하고 휴대폰을 다시 켜 보세요. 그래도 꺼지면 앱을 지웠다가 다시 설치해 주세요."},
    {4, "ko", "알림이 오지 않아요", "문제해결 알림",
     "휴대폰 **설정 > 알림**에서 앱 알림이 켜져 있는지, 앱 안의 **설정 > 알림**도 켜져 있는지 확인해 주세요. 절전 모드에서는 알림이 늦을 수 있습니다."},
    {4, "ko", "결제 페이지가 열리지 않아요", "문제해결 결제",
     "팝업 차단을 해제하고 다른 브라우저로 시도해 보세요. 회사 네트워크에서는 결제창이 막힐 수 있습니다."},
    {4, "ko", "사진이 올라가지 않아요", "문제해결 업로드",
     "사진은 한 장에 10MB까지 올릴 수 있습니다. 용량이 크면 줄여서 다시 올리고, 앱에 사진 접근 권한을 허용했는지 확인하세요."},
    {4, "ko", "장바구니가 비어 있어요", "문제해결 장바구니",
     "로그인하지 않고 담은 상품은 브라우저에만 저장됩니다. 같은 계정으로 로그인해야 다른 기기에서도 장바구니가 보입니다."},
    {4, "en-us", "The app keeps crashing", "troubleshooting app",
     "Update the app to the latest version and restart your phone. If it still crashes, uninstall and reinstall it; your account data is kept on our servers."},
    {4, "en-us", "I'm not getting notifications", "troubleshooting notifications",
     "Allow notifications for the app in your phone settings and in the app under **Settings > Notifications**. Battery saver can delay them."},
    {4, "en-us", "The website is slow or won't load", "troubleshooting website",
     "Clear your browser cache, turn off extensions and try another browser. Our status page shows whether there is an outage right now."},
    {4, "en-us", "Promo code not working", "troubleshooting coupon",
     "Codes are case-sensitive and many have a minimum order value or an end date. Codes cannot be combined with sale items unless the offer says so."},
    {4, "en-us", "Items disappeared from my cart", "troubleshooting cart",
     "Carts of signed-out visitors live only in that browser. Sign in with the same account to see your cart on every device; sold-out items are removed."},
    /* troubleshooting flows (their steps: flows[] below) */
    {4, "ko", "로그인 문제 단계별 해결", "문제해결 로그인",
     "안내에 따라 하나씩 확인하면 로그인 문제를 해결할 수 있습니다."},
    {4, "en-us", "Can't sign in? Step-by-step troubleshooting", "troubleshooting signin",
     "Answer a few questions and we will walk you through fixing your sign-in problem."},
};


/* The troubleshooting flows of the articles titled so (core/hc_flow.h). */
static const struct {
	const char *title, *flow;
} flows[] = {
    {"로그인 문제 단계별 해결",
     "{\"start\":\"email\",\"steps\":["
     "{\"id\":\"email\",\"title\":\"가입할 때 쓴 이메일 주소로 로그인하고 있나요?\","
     "\"body\":\"주문 확인 메일을 받은 주소가 가입 주소입니다.\","
     "\"options\":[{\"label\":\"예\",\"next\":\"reset\"},{\"label\":\"아니요, 다른 주소였어요\",\"next\":\"retry\"}]},"
     "{\"id\":\"retry\",\"title\":\"가입한 주소로 다시 로그인해 보세요. 되나요?\","
     "\"options\":[{\"label\":\"예, 됩니다\",\"outcome\":\"solved\"},{\"label\":\"아니요\",\"next\":\"reset\"}]},"
     "{\"id\":\"reset\",\"title\":\"비밀번호 재설정 메일을 받았나요?\","
     "\"body\":\"로그인 화면의 **비밀번호 찾기**를 누르면 메일이 옵니다. 스팸함도 확인해 주세요.\","
     "\"options\":[{\"label\":\"예, 새 비밀번호로 로그인했어요\",\"outcome\":\"solved\"},"
     "{\"label\":\"메일이 오지 않아요\",\"outcome\":\"contact\"}]}]}"},
    {"Can't sign in? Step-by-step troubleshooting",
     "{\"start\":\"email\",\"steps\":["
     "{\"id\":\"email\",\"title\":\"Are you signing in with the email address you signed up with?\","
     "\"body\":\"It is the address your order confirmations go to.\","
     "\"options\":[{\"label\":\"Yes\",\"next\":\"reset\"},{\"label\":\"No, it was another address\",\"next\":\"retry\"}]},"
     "{\"id\":\"retry\",\"title\":\"Try signing in with the address you signed up with. Does it work?\","
     "\"options\":[{\"label\":\"Yes, it works\",\"outcome\":\"solved\"},{\"label\":\"No\",\"next\":\"reset\"}]},"
     "{\"id\":\"reset\",\"title\":\"Did the password reset email arrive?\","
     "\"body\":\"Choose **Forgot password** on the sign-in page. Check your spam folder too.\","
     "\"options\":[{\"label\":\"Yes, I signed in with a new password\",\"outcome\":\"solved\"},"
     "{\"label\":\"No email arrived\",\"outcome\":\"contact\"}]}]}"},
};

static const char *flow_of(const char *title)
{
	for (size_t i = 0; i < sizeof(flows) / sizeof(*flows); i++)
		if (!strcmp(flows[i].title, title))
			return flows[i].flow;
	return NULL;
}

static void tr_fill(struct hc_translation *t, const char *locale, const char *title,
		    const char *body, int64_t now)
{
	snprintf(t->locale, sizeof(t->locale), "%s", locale);
	t->title = (char *)title;
	t->body = (char *)body;
	t->html = (char *)"";
	t->plain = (char *)"";
	t->created_at = t->updated_at = now;
}

int demo_kb(struct db *db, int64_t author, int64_t now)
{
	int64_t sec_ko[5], sec_en[5];
	int rc = 0;
	for (int c = 0; c < 5 && !rc; c++) {
		struct hc_category cat = {.position = c, .created_at = now, .updated_at = now};
		tr_fill(&cat.tr, "ko", cats[c].ko, cats[c].ko_desc, now);
		rc = hc_category_insert(db, &cat);
		struct hc_translation en = {.source_id = cat.id};
		snprintf(en.source_type, sizeof(en.source_type), "%s", HC_CATEGORY);
		tr_fill(&en, "en-us", cats[c].en, cats[c].en_desc, now);
		if (!rc)
			rc = hc_translation_put(db, &en);
		struct hc_section s1 = {.category_id = cat.id, .position = 0, .created_at = now,
					.updated_at = now};
		tr_fill(&s1.tr, "ko", cats[c].ko, "", now);
		if (!rc)
			rc = hc_section_insert(db, &s1);
		struct hc_section s2 = {.category_id = cat.id, .position = 1, .created_at = now,
					.updated_at = now};
		tr_fill(&s2.tr, "en-us", cats[c].en, "", now);
		if (!rc)
			rc = hc_section_insert(db, &s2);
		sec_ko[c] = s1.id;
		sec_en[c] = s2.id;
	}
	for (size_t i = 0; i < sizeof(arts) / sizeof(*arts) && !rc; i++) {
		struct hc_article a = {.author_id = author, .position = (int)i,
				       .created_at = now, .updated_at = now};
		int ko = !strcmp(arts[i].locale, "ko");
		a.section_id = ko ? sec_ko[arts[i].cat] : sec_en[arts[i].cat];
		a.promoted = i % 10 == 0;
		char labels[128];
		snprintf(labels, sizeof(labels), "%s", arts[i].labels);
		char *save = NULL;
		for (char *t = strtok_r(labels, " ", &save); t; t = strtok_r(NULL, " ", &save))
			strlist_add(&a.labels, t);
		struct buf html = BUF_INIT, plain = BUF_INIT;
		markdown_render(arts[i].body, strlen(arts[i].body), &html, &plain);
		tr_fill(&a.tr, arts[i].locale, arts[i].title, arts[i].body, now);
		a.tr.html = html.s;
		a.tr.plain = plain.s;
		const char *flow = flow_of(arts[i].title);
		if (flow) { /* stored canonical, as the API stores it */
			struct hc_flow f;
			char err[200];
			if (hc_flow_parse(flow, strlen(flow), &f, err, sizeof(err)))
				BUG("demo flow of \"%s\": %s", arts[i].title, err);
			json_t *j = hc_flow_to_json(&f);
			a.tr.flow = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			hc_flow_clear(&f);
		}
		rc = hc_article_insert(db, &a);
		free(a.tr.flow);
		buf_release(&html);
		buf_release(&plain);
		strlist_clear(&a.labels);
	}
	return rc;
}
