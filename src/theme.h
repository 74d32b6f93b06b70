#ifndef TLSFLEET_THEME_H
#define TLSFLEET_THEME_H
#endif
