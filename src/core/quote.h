/* quote.h - where a customer's new reply ends and the quoted earlier
 * conversation below it begins.
 *
 * When a customer answers a Sonnim mail, their client appends (or, rarely,
 * prepends) the message they answer.  The inbound path keeps the whole
 * body as received and uses quote_strip() to decide which part becomes the
 * new comment (struct mail.reply_text, channels/email/mime.h).
 *
 * A pure function: no I/O, no allocation, no locale, any bytes.  One pass
 * over the lines, O(len); a few lines of look-ahead at most per line.
 */
#ifndef SONNIM_QUOTE_H
#define SONNIM_QUOTE_H
#include <stddef.h>

/* How many leading bytes of text[0..len) are the new reply.
 *
 * text is the plain text of an email body (UTF-8; LF or CRLF line ends;
 * NUL and invalid bytes are harmless; text may be NULL when len is 0).
 *
 * The cut is put at the first line, from the top, that starts the quoted
 * conversation:
 *   - an attribution line (with a date, and a time of day or an address in
 *     it), also when a client wrapped it onto a second line:
 *       "On Tue, Mar 5, 2024 at 2:03 PM Jane <jane@example.com> wrote:"
 *       "2024년 3월 5일 (화) 오후 2:03, 홍길동 <a@b.c>님이 작성:"
 *       "2024. 3. 5. 오후 2:03, 홍길동 <a@b.c> 작성:"   (Apple, Korean)
 *       "Am 5. März 2024 um 14:03 schrieb Jane <jane@example.com>:"
 *     unless what follows it is an inline reply (quoted ">" lines with new
 *     text between or after them): then nothing is cut;
 *   - a separator line: "-----Original Message-----", "----- Original
 *     Message -----", "-----원본 메시지-----" (Naver), "---------- 원본 메일
 *     ----------" (Daum/Kakao), "--------- 원래 메시지 ---------",
 *     "-----Ursprüngliche Nachricht-----";
 *   - a header block as Outlook writes it: a From line followed, within the
 *     same paragraph, by a Sent/Date line and a Subject line, in English
 *     (From/Sent/Date/To/Cc/Subject), Korean (보낸 사람/보낸 날짜/날짜/받는
 *     사람/참조/제목) or German (Von/Gesendet/Datum/An/Betreff), keys
 *     optionally in *bold*; a "______" rule line just above it goes too.
 * Failing all those, a run of lines starting with ">" that reaches the end
 * of the text (blank lines inside it allowed) is the quote, together with
 * an attribution line ending in "wrote:"/"작성:"/"쓴 글:" just above it.  A
 * ">" run followed by new text anywhere means the customer answered inline:
 * nothing is cut.
 *
 * Forwarded mail is the customer's message, not a quote: at a forward
 * separator ("---------- Forwarded message ---------", "---------- 전달된
 * 메일 ---------", "Begin forwarded message:") the search stops and,
 * unless a cut was already found above it, len is returned.
 *
 * Lines that merely sit above the quote ("Sent from my iPhone", "iPhone에서
 * 보냄", a "-- " signature) are kept.  Trailing white space (blank lines,
 * spaces, CR, no-break spaces) before the cut is excluded from the count.
 *
 * Returns len when nothing is quoted, and also when the cut would leave
 * nothing (the message is all quote, or bottom-posted under the quote):
 * the result is never 0 unless len is 0.
 */
size_t quote_strip(const char *text, size_t len);
#endif
