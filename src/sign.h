#ifndef TLSFLEET_SIGN_H
#define TLSFLEET_SIGN_H
#endif
