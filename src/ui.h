#ifndef TLSFLEET_UI_H
#define TLSFLEET_UI_H
#endif
