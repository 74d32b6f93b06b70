#ifndef TLSFLEET_CHECK_H
#define TLSFLEET_CHECK_H
#endif
