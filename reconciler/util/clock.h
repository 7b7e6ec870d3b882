/* clock: the one monotonic clock and the one sleep, in milliseconds, for every
 * bounded wait (HTTP retries, apply's ledger settling, remote verification).
 *
 * Nothing is allocated or returned by ownership here. */
#ifndef ESR_UTIL_CLOCK_H
#define ESR_UTIL_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC (an arbitrary origin). */
long clock_now_ms(void);

/* Sleeps ms milliseconds (nothing for ms <= 0), resuming after signals. */
void clock_sleep_ms(long ms);

#endif
