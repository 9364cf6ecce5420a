/* The progress page shared between the daemon and a worker. */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ogid_progress.h"

struct ogid_progress *ogid_progress_attach(void)
{
    struct stat st;
    void *p;

    if (fstat(OGID_PROGRESS_FD, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size < sizeof(struct ogid_progress))
        return NULL;
    p = mmap(NULL, sizeof(struct ogid_progress), PROT_READ | PROT_WRITE, MAP_SHARED,
             OGID_PROGRESS_FD, 0);
    close(OGID_PROGRESS_FD);
    return p == MAP_FAILED ? NULL : p;
}

struct ogid_progress *ogid_progress_new(int *fd)
{
    void *p;

    *fd = memfd_create("ogid-progress", MFD_CLOEXEC);
    if (*fd < 0)
        return NULL;
    if (ftruncate(*fd, sizeof(struct ogid_progress)) != 0)
        goto fail;
    p = mmap(NULL, sizeof(struct ogid_progress), PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    if (p == MAP_FAILED)
        goto fail;
    memset(p, 0, sizeof(struct ogid_progress));
    return p;
fail:
    close(*fd);
    *fd = -1;
    return NULL;
}

void ogid_progress_free(struct ogid_progress *p)
{
    if (p != NULL)
        munmap(p, sizeof *p);
}

void ogid_progress_set(char *field, size_t n, const char *s)
{
    size_t len = s ? strlen(s) : 0;

    if (len >= n)
        len = n - 1;
    memcpy(field, s ? s : "", len);
    field[len] = '\0';
}
