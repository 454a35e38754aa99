/* banned.h - functions that are too easy to misuse; included by every .c
 * through the compiler flag in the Makefile (git's and curl's banned lists). */
#ifndef SONNIM_BANNED_H
#define SONNIM_BANNED_H
/* the system headers that declare them come first, so the macros below only
 * catch uses, not declarations */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define BANNED(func) sorry_##func##_is_a_banned_function
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#endif
