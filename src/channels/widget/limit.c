/* limit.c - fixed-window counters (channels/widget/limit.h).
 *
 * One FNV-1a hash of the key picks a slot; a slot whose window is not the
 * current minute starts again at zero.  O(1) per hit, 16 bytes a slot.
 */
#include "channels/widget/limit.h"
#include <pthread.h>
#include <string.h>

static struct slot {
	int64_t minute;	/* the window this count belongs to */
	int64_t count;
} slots[LIMIT_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int limit_hit(const char *key, int per_minute, int64_t now)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	int64_t minute = now / 60;
	pthread_mutex_lock(&lock);
	struct slot *s = &slots[h % LIMIT_SLOTS];
	if (s->minute != minute) {
		s->minute = minute;
		s->count = 0;
	}
	int ok = ++s->count <= per_minute;
	pthread_mutex_unlock(&lock);
	return ok;
}

void limit_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(slots, 0, sizeof(slots));
	pthread_mutex_unlock(&lock);
}
