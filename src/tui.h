#ifndef TLSFLEET_TUI_H
#define TLSFLEET_TUI_H
#endif
