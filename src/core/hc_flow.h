/* hc_flow.h - troubleshooting flows: an article translation that walks a
 * customer through questions with branches ("Did the light turn green?
 * yes -> ... no -> ...") and ends in an outcome: solved (counted) or
 * "contact us" (the contact form, prefilled with the path taken).
 *
 * A flow is JSON, stored with the article translation (hc_translations.
 * flow) and sent in the API as the translation's / article's "flow":
 *
 *   {"start": "light",                        (optional: the first step)
 *    "steps": [
 *      {"id": "light", "title": "Did the light turn green?",
 *       "body": "Markdown (optional)",
 *       "options": [{"label": "Yes", "next": "wifi"},
 *                   {"label": "No", "outcome": "contact"}]}, ...]}
 *
 * Rules hc_flow_parse() enforces (422 in the API): 1..HC_FLOW_MAX_STEPS
 * steps; ids of 1..32 bytes from [a-z0-9_-], unique; a title (at most 200
 * bytes, no control characters); a body of at most HC_FLOW_MAX_BODY
 * bytes; 1..HC_FLOW_MAX_OPTIONS options per step, each a label (at most
 * 120 bytes) and exactly one of "next" (an existing step id) or
 * "outcome" ("solved" or "contact"); every step reachable from the start.
 * Unknown members are refused, so a typo ("nxet") is caught on write.
 *
 * Walking: a path is the option indexes chosen from the start, written
 * "0.1.0" (the page links carry it; no state on the server).  hc_flow_walk
 * replays it; a path that does not fit the flow is refused, never
 * guessed at.
 *
 * Pure functions: no I/O.  Owned strings are freed by hc_flow_clear.
 */
#ifndef SONNIM_HC_FLOW_H
#define SONNIM_HC_FLOW_H
#include <stddef.h>
#include <jansson.h>
struct buf;

#define HC_FLOW_MAX_STEPS 50
#define HC_FLOW_MAX_OPTIONS 6
#define HC_FLOW_MAX_BODY 4000
#define HC_FLOW_MAX_PATH 64 /* choices in one walk (a flow may loop back) */
#define HC_FLOW_MAX_JSON (256 * 1024)

enum hc_flow_outcome {
	HC_FLOW_NONE = 0,    /* the option leads to another step */
	HC_FLOW_SOLVED = 1,  /* "that fixed it" */
	HC_FLOW_CONTACT = 2, /* "contact us": the prefilled contact form */
};

struct hc_flow_option {
	char *label;		      /* owned */
	int next;		      /* step index, or -1 with an outcome */
	enum hc_flow_outcome outcome; /* HC_FLOW_NONE when next >= 0 */
};

struct hc_flow_step {
	char id[33];
	char *title; /* owned; the question or instruction */
	char *body;  /* owned Markdown, "" when none */
	struct hc_flow_option opt[HC_FLOW_MAX_OPTIONS];
	int nopt;
};

struct hc_flow {
	struct hc_flow_step *steps; /* owned, n of them */
	int n;
	int start; /* index of the first step */
};

/* Decode and check a flow from a JSON value.  0 and *f filled (caller
 * hc_flow_clear()s it), or -1 with err ("steps[2].options[0].next: ...")
 * and *f empty. */
int hc_flow_from_json(const json_t *v, struct hc_flow *f, char *err, size_t errlen);
/* The same from JSON text s[0..len). */
int hc_flow_parse(const char *s, size_t len, struct hc_flow *f, char *err, size_t errlen);
/* The canonical JSON of f (what is stored and returned); new reference. */
json_t *hc_flow_to_json(const struct hc_flow *f);
void hc_flow_clear(struct hc_flow *f);

const char *hc_flow_outcome_name(enum hc_flow_outcome o); /* "solved", "contact", "" */

/* A replayed path: the choices taken and where they lead. */
struct hc_flow_walk {
	int taken[HC_FLOW_MAX_PATH][2]; /* (step index, option index) per choice */
	int n;				/* choices */
	int step;			/* the step now shown, -1 at an outcome */
	enum hc_flow_outcome outcome;	/* at the end, else HC_FLOW_NONE */
};
/* Replay path ("" = at the start; "0.2.1") over f.  0, or -1 when the
 * path is malformed, longer than HC_FLOW_MAX_PATH, names an option that
 * does not exist or goes on past an outcome. */
int hc_flow_walk(const struct hc_flow *f, const char *path, struct hc_flow_walk *w);
/* The path string of the first k choices of w into out ("0.2"). */
void hc_flow_path(const struct hc_flow_walk *w, int k, struct buf *out);
/* The steps taken as text for a ticket: one line per choice,
 * "1. <step title> -> <option label>". */
void hc_flow_path_text(const struct hc_flow *f, const struct hc_flow_walk *w, struct buf *out);
#endif
