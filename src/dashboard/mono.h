/* The dashboard's monotonic clock: frame pacing and message expiry in
 * milliseconds, UI statistics in microseconds. Nothing allocated. */
#ifndef TLSFLEET_MONO_H
#define TLSFLEET_MONO_H

long long mono_ms(void);
double mono_us(void);

#endif
