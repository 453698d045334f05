/*
 * kernel/lib/errno.c: names of error codes, for messages a student can read.
 */
#include <kernel/lib/errno.h>

static const struct {
	int code;
	const char *name;
} names[] = {
    {EPERM, "EPERM"},	    {ENOENT, "ENOENT"},
    {ESRCH, "ESRCH"},	    {EINTR, "EINTR"},
    {EIO, "EIO"},	    {E2BIG, "E2BIG"},
    {ENOEXEC, "ENOEXEC"},   {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"},	    {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},	    {EEXIST, "EEXIST"},
    {ENODEV, "ENODEV"},	    {EINVAL, "EINVAL"},
    {ENOSPC, "ENOSPC"},	    {ERANGE, "ERANGE"},
    {EDEADLK, "EDEADLK"},   {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},	    {ETIMEDOUT, "ETIMEDOUT"},
    {EALREADY, "EALREADY"}, {ECANCELED, "ECANCELED"},
};

const char *errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == err)
			return names[i].name;
	return "E?";
}
