/* clock: monotonic time in milliseconds and sleeping, for apply's bounded waits. */
#ifndef ESR_APPLY_CLOCK_H
#define ESR_APPLY_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC (an arbitrary origin). */
long clock_now_ms(void);

/* Sleeps ms milliseconds (nothing for ms <= 0), resuming after signals. */
void clock_sleep_ms(long ms);

#endif
