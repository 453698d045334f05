/*
 * <kernel/lib/string.h>: the C string and memory functions the kernel uses.
 * GCC may emit calls to memcpy/memset/memmove/memcmp itself, so these keep
 * their standard names. In host tests the C library provides them.
 */
#ifndef KERNEL_STRING_H
#define KERNEL_STRING_H

#include <stddef.h>

#ifdef HOST_TEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strspn(const char *s, const char *accept);
char *strstr(const char *hay, const char *needle);
#endif

/* Copy at most size-1 bytes and always terminate. Return: strlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

#endif
