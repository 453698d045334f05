/*
 * <kernel/lib/errno.h>: error codes. Functions return 0 or a negative code.
 * errno_name() gives the symbol ("EBUSY") for console messages.
 */
#ifndef KERNEL_ERRNO_H
#define KERNEL_ERRNO_H

#define EPERM      1
#define ENOENT     2
#define ESRCH      3
#define EINTR      4
#define EIO        5
#define E2BIG      7
#define ENOEXEC    8
#define EAGAIN    11
#define ENOMEM    12
#define EFAULT    14
#define EBUSY     16
#define EEXIST    17
#define ENODEV    19
#define EINVAL    22
#define ENOSPC    28
#define ERANGE    34
#define EDEADLK   35
#define ENAMETOOLONG 36
#define ENOSYS    38
#define ETIMEDOUT 110
#define EALREADY  114
#define ECANCELED 125

/* Return: "EBUSY" for 16 or -16; "E?" for an unknown code. */
const char *errno_name(int err);

#endif
