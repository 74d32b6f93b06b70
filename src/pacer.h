#ifndef TLSFLEET_PACER_H
#define TLSFLEET_PACER_H
#endif
