#ifndef TLSFLEET_VIEWS_H
#define TLSFLEET_VIEWS_H
#endif
