/*
 * ata.c - the ATA hard disk: device 0 on the primary channel of a PC's
 * IDE controller, backed by a disk image file.
 *
 *   0x1F0       data (16-bit PIO; a 32-bit access moves two words, as
 *               controllers with 32-bit PIO do)
 *   0x1F1-0x1F7 the task file: error/features, sector count, LBA low/mid/
 *               high (sector number, cylinder low/high), device/head,
 *               status/command
 *   0x3F6       alternate status / device control (nIEN, SRST, HOB)
 *   IRQ14       INTRQ
 *
 * It implements the ATA/ATAPI-6 standard (T13 1410D) for a fixed disk
 * without DMA: PIO data-in, data-out and non-data commands, 28-bit LBA,
 * CHS with a settable translation, and the 48-bit Address feature set
 * (each task-file register keeps its previous byte for the HOB read-back).
 * No device 1 is attached: with DEV=1 selected the status registers read
 * 00h, as device 0 answers on such a channel, so probes find one disk.
 * devices.c was the design's home for it; the disk with its I/O thread,
 * its snapshot overlay and its command table is a subsystem of its own,
 * so it has its own file.
 *
 * Threads and locks:
 *   - The device (AtaState: task file, transfer state, settings) is
 *     guarded by the BQL.  Port accesses come from vCPU threads, which hold
 *     the BQL around them (cpu.c); the completion bottom half runs on the
 *     main-loop thread, which holds it too.
 *   - Disk I/O (pread, pwrite, fdatasync) never runs under the BQL, so a
 *     slow disk stalls no vCPU: one I/O worker thread, in the spirit of
 *     QEMU's thread pool, takes a request (AtaIO) from the device, does it
 *     and hands it back through a bottom half (ata_io_bh), which finishes
 *     the command under the BQL.  While a request is out, the device shows
 *     BSY: it takes no command and the guest cannot touch the data buffer,
 *     so the worker is the only one to touch the request and the buffer.
 *     io.lock guards the hand-over (io.req, io.stopping).
 *   - The -snapshot overlay and `disk.dirty` belong to the worker thread.
 *   - `disk` (the image's fd, size, flags) is set once before any thread
 *     starts, then read-only.
 * ata_shutdown (from vm_exit and atexit, on any thread, BQL or not) waits
 * for the request in flight and fsyncs the image, so every write a guest
 * saw complete is in the file when vm exits.  docs/devices.md has the
 * whole picture.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define SECTOR 512
#define ATA_BUF_SECTORS 256         /* one I/O request moves at most this much */
#define ATA_MAX_MULT 16             /* READ/WRITE MULTIPLE block size limit */
#define ATA_LBA28_MAX 0x0fffffffu   /* IDENTIFY words 60-61 stop here */
#define ATA_CHS_MAX 16514064u       /* 16383 * 16 * 63: the largest CHS disk */

/* Ports (the data port, ATA_PORT_DATA, is in vm.h). */
#define ATA_CTL  0x3f6

/* Status register. */
#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DF   0x20    /* device fault: never, an image does not fault */
#define ST_DSC  0x10    /* seek complete: obsolete, set by disks as they always did */
#define ST_DRQ  0x08
#define ST_ERR  0x01

/* Error register. */
#define ERR_UNC  0x40   /* uncorrectable data: a read failed */
#define ERR_IDNF 0x10   /* no such sector */
#define ERR_ABRT 0x04   /* command aborted: unknown, bad parameter, write-protected */
#define ERR_DIAG_OK 0x01    /* after reset or diagnostics: device 0 passed, no device 1 */

/* Device/head register. */
#define DEV_LBA 0x40
#define DEV_DEV 0x10    /* device 1 selected */

/* Device control register. */
#define CTL_NIEN 0x02   /* INTRQ disabled */
#define CTL_SRST 0x04   /* software reset */
#define CTL_HOB  0x80   /* read the previous bytes of the register FIFOs */

/* CHECK POWER MODE answers. */
#define POWER_ACTIVE  0xff
#define POWER_IDLE    0x80
#define POWER_STANDBY 0x00

/* ---- The image (set by ata_attach, then read-only; dirty: worker) ------------ */

static struct {
    int attached;
    int fd;
    uint64_t sectors;       /* the image's size in sectors, a partial last one counted */
    int read_only;          /* the guest's writes fail: the file is not writable (no -snapshot) */
    int snapshot;           /* -snapshot: writes go to the overlay, never to the file */
    int dirty;              /* worker: written since the last fsync */
} disk = { .fd = -1 };

/* ---- The -snapshot overlay (worker thread only) ------------------------------------
 * Sectors the guest wrote, in a hash table keyed by LBA (open addressing,
 * linear probing, never shrinks): memory grows with what the guest writes,
 * not with the image, so a 2 TiB image costs nothing until written. */

typedef struct OverlaySector {
    uint64_t lba;
    uint8_t data[SECTOR];
} OverlaySector;

static struct {
    OverlaySector **slot;
    size_t size;            /* a power of two, or 0 */
    size_t used;
} overlay;

static size_t overlay_index(uint64_t lba, size_t size)
{
    return (size_t)((lba * 0x9e3779b97f4a7c15ull) >> 20) & (size - 1);
}

static OverlaySector *overlay_find(uint64_t lba)
{
    if (!overlay.size)
        return NULL;
    for (size_t i = overlay_index(lba, overlay.size);; i = (i + 1) & (overlay.size - 1)) {
        OverlaySector *o = overlay.slot[i];
        if (!o || o->lba == lba)
            return o;
    }
}

/* Double the table (or create it); 0, or ENOMEM. */
static int overlay_grow(void)
{
    size_t size = overlay.size ? overlay.size * 2 : 1024;
    OverlaySector **slot = calloc(size, sizeof(*slot));
    if (!slot)
        return ENOMEM;
    for (size_t i = 0; i < overlay.size; i++) {
        OverlaySector *o = overlay.slot[i];
        if (!o)
            continue;
        size_t j = overlay_index(o->lba, size);
        while (slot[j])
            j = (j + 1) & (size - 1);
        slot[j] = o;
    }
    free(overlay.slot);
    overlay.slot = slot;
    overlay.size = size;
    return 0;
}

/* Store one sector in the overlay; 0, or ENOMEM. */
static int overlay_put(uint64_t lba, const uint8_t *data)
{
    OverlaySector *o = overlay_find(lba);
    if (!o) {
        if ((overlay.used + 1) * 4 > overlay.size * 3 && overlay_grow())
            return ENOMEM;
        o = malloc(sizeof(*o));
        if (!o)
            return ENOMEM;
        o->lba = lba;
        size_t i = overlay_index(lba, overlay.size);
        while (overlay.slot[i])
            i = (i + 1) & (overlay.size - 1);
        overlay.slot[i] = o;
        overlay.used++;
    }
    memcpy(o->data, data, SECTOR);
    return 0;
}

/* ---- Disk I/O (worker thread) ------------------------------------------------ */

/* Read count sectors from lba; bytes past the end of the file (a size
 * that is not a multiple of 512) read as zeros.  0, or an errno. */
static int disk_read(uint8_t *buf, uint64_t lba, uint32_t count)
{
    size_t len = (size_t)count * SECTOR, done = 0;
    while (done < len) {
        ssize_t n = pread(disk.fd, buf + done, len - done, (off_t)(lba * SECTOR + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    memset(buf + done, 0, len - done);
    for (uint32_t i = 0; disk.snapshot && i < count; i++) {
        const OverlaySector *o = overlay_find(lba + i);
        if (o)
            memcpy(buf + (size_t)i * SECTOR, o->data, SECTOR);
    }
    return 0;
}

/* Make every write so far durable.  0, or an errno. */
static int disk_flush(void)
{
    if (disk.snapshot || !disk.dirty)
        return 0;
    if (fdatasync(disk.fd) < 0)
        return errno;
    disk.dirty = 0;
    return 0;
}

/* Write count sectors at lba: to the file, or with -snapshot to the
 * overlay.  sync: make them durable before returning (write cache off).
 * 0, or an errno. */
static int disk_write(const uint8_t *buf, uint64_t lba, uint32_t count, int sync)
{
    if (disk.snapshot) {
        for (uint32_t i = 0; i < count; i++)
            if (overlay_put(lba + i, buf + (size_t)i * SECTOR))
                return ENOMEM;
        return 0;
    }
    size_t len = (size_t)count * SECTOR, done = 0;
    disk.dirty = 1;
    while (done < len) {
        ssize_t n = pwrite(disk.fd, buf + done, len - done, (off_t)(lba * SECTOR + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : ENOSPC;
        done += (size_t)n;
    }
    return sync ? disk_flush() : 0;
}


/* ---- The I/O worker -------------------------------------------------------------- */

enum { IO_READ, IO_WRITE, IO_FLUSH };

/* One request.  The device fills it in (BQL) and hands it over with
 * ata_io_submit; from then until ata_io_bh only the worker touches it and
 * the buffer it points to. */
typedef struct AtaIO {
    int op;                 /* IO_* */
    uint64_t lba;
    uint32_t count;         /* sectors */
    int sync;               /* IO_WRITE: durable before it completes (write cache off) */
    uint8_t *buf;
    int err;                /* the result: 0 or an errno */
} AtaIO;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;    /* lock: a request came, or the worker finished one */
    AtaIO *req;             /* lock: with the worker (queued or running), or NULL */
    int stopping;           /* lock: vm is exiting, take no more requests */
    BH *done_bh;            /* set by ata_init: runs ata_io_bh */
} io = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, NULL };

static void ata_io_run(AtaIO *r)
{
    switch (r->op) {
    case IO_READ:  r->err = disk_read(r->buf, r->lba, r->count); break;
    case IO_WRITE: r->err = disk_write(r->buf, r->lba, r->count, r->sync); break;
    case IO_FLUSH: r->err = disk_flush(); break;
    }
}

/* The worker: one request at a time, without the BQL; each finished one
 * goes back to the device through the bottom half. */
static void *ata_io_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&io.lock);
    for (;;) {
        while (!io.req)
            pthread_cond_wait(&io.cond, &io.lock);
        AtaIO *r = io.req;
        pthread_mutex_unlock(&io.lock);
        ata_io_run(r);
        pthread_mutex_lock(&io.lock);
        io.req = NULL;
        pthread_cond_broadcast(&io.cond);       /* ata_shutdown may be waiting */
        bh_schedule(io.done_bh);
    }
    return NULL;
}

/* Wait for the request in flight, take no more, and make every write
 * durable (fsync), so a write the guest saw complete is in the image when
 * vm exits.  Any thread, BQL held or not (vm_exit runs on a vCPU thread
 * for the debug-exit port); calls after the first return at once. */
void ata_shutdown(void)
{
    if (!disk.attached)
        return;
    pthread_mutex_lock(&io.lock);
    io.stopping = 1;
    while (io.req)
        pthread_cond_wait(&io.cond, &io.lock);
    int err = disk_flush();     /* the worker is idle for good: disk.dirty is ours */
    pthread_mutex_unlock(&io.lock);
    if (err)
        fprintf(stderr, "vm: disk image: fsync failed: %s\n", strerror(err));
}

/* ---- The device (BQL) ------------------------------------------------------------ */

enum { XFER_NONE, XFER_IN, XFER_OUT };      /* PIO data-in (to the host), data-out */
enum { ADDR_NONE, ADDR_CHS, ADDR_LBA28, ADDR_LBA48 };  /* how the command addressed the disk */

typedef struct AtaState {
    /* The task file.  LBA low/mid/high are the sector number and cylinder
     * low/high registers of CHS addressing.  Each register a 48-bit command
     * writes twice keeps its previous byte (hob_*). */
    uint8_t feature, hob_feature;
    uint8_t nsect, hob_nsect;
    uint8_t lbal, hob_lbal;
    uint8_t lbam, hob_lbam;
    uint8_t lbah, hob_lbah;
    uint8_t device;         /* device/head: DEV_LBA, DEV_DEV, head or LBA 27:24 */
    uint8_t status;
    uint8_t error;
    uint8_t control;        /* device control: CTL_* */
    int irq_pending;        /* INTRQ wanted; reading Status or writing Command clears it */
    int irq_level;          /* what IRQ14 carries */

    /* Settings.  A hardware reset restores the power-on values, and so
     * does a software reset while revert_defaults (SET FEATURES CCh) is on. */
    int mult;               /* READ/WRITE MULTIPLE block size; 0: those commands abort */
    uint32_t cyls, heads, spt;  /* the current CHS translation; cyls 0: none valid */
    int write_cache;        /* off: each write reaches the media before it completes */
    int look_ahead;
    int revert_defaults;
    uint8_t power;          /* POWER_*: what CHECK POWER MODE says */
    int sleeping;           /* SLEEP: deaf to commands until a reset */

    /* The PIO transfer in progress: buf holds `chunk` sectors from `lba`
     * on and `left` more sectors follow.  The host moves the data word at
     * buf[pos], one DRQ block (up to drq_end) per interrupt. */
    int xfer;               /* XFER_* */
    int addr;               /* ADDR_*: how the registers report progress */
    uint64_t lba;
    uint32_t chunk, left;
    uint32_t block;         /* sectors per DRQ block */
    uint32_t pos, drq_end;  /* bytes into buf */
    uint8_t *buf;           /* ATA_BUF_SECTORS sectors */

    /* The request with the worker. */
    int io_busy;            /* out: BSY stays set, and buf is the worker's */
    int reset_pending;      /* a reset ended meanwhile: finish it when the request is back */
    void (*io_done)(struct AtaState *s, int err);   /* what to do then */
    AtaIO io;
} AtaState;

/* A command: what runs it, and its variant. */
typedef struct AtaCommand {
    void (*run)(AtaState *s, const struct AtaCommand *c);
    int flags;
    const char *name;
} AtaCommand;
#define CMD_EXT      1      /* 48-bit: LBA and count from both bytes of each register */
#define CMD_MULTIPLE 2      /* DRQ blocks of the SET MULTIPLE MODE size */

static AtaState ata;

static void ata_log(const char *what, uint8_t cmd)
{
    if (log_mask & LOG_IOPORT)
        log_printf("ata: %s 0x%02x\n", what, cmd);
}

/* INTRQ drives IRQ14 while the device wants an interrupt, the host has not
 * disabled it (nIEN), and device 0 is selected: an unselected device
 * leaves the line alone. */
static void ata_update_irq(AtaState *s)
{
    int level = s->irq_pending && !(s->control & CTL_NIEN) && !(s->device & DEV_DEV);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(ATA_IRQ, level);
    }
}

static void ata_raise_irq(AtaState *s)
{
    s->irq_pending = 1;
    ata_update_irq(s);
}

/* The command ended well: ready, with an interrupt. */
static void ata_complete(AtaState *s)
{
    s->xfer = XFER_NONE;
    s->status = ST_DRDY | ST_DSC;
    ata_raise_irq(s);
}

/* The command failed with `error` (ERR_*): ERR, with an interrupt. */
static void ata_fail(AtaState *s, uint8_t error)
{
    s->xfer = XFER_NONE;
    s->status = ST_DRDY | ST_DSC | ST_ERR;
    s->error = error;
    ata_raise_irq(s);
}

/* ---- Addresses ------------------------------------------------------------------- */

/* The cylinders of a CHS translation with heads and spt: the disk's
 * sectors, but no more than the 8.4 GB of 16383 x 16 x 63 (so the default
 * 16 x 63 has at most 16383), and no more than the registers hold. */
static uint32_t ata_cyls_for(uint32_t heads, uint32_t spt)
{
    uint64_t n = disk.sectors < ATA_CHS_MAX ? disk.sectors : ATA_CHS_MAX;
    uint64_t cyls = n / (heads * spt);
    return cyls > 0xffff ? 0xffff : (uint32_t)cyls;
}

static void ata_set_geometry(AtaState *s, uint32_t heads, uint32_t spt)
{
    s->heads = heads;
    s->spt = spt;
    s->cyls = ata_cyls_for(heads, spt);
}

static uint32_t tf_count(const AtaState *s, int ext)
{
    if (ext)
        return (s->nsect | s->hob_nsect << 8) ? (uint32_t)(s->nsect | s->hob_nsect << 8) : 65536;
    return s->nsect ? s->nsect : 256;
}

/* The command's first sector and the number of sectors its addressing
 * reaches; 0 when the address names no sector (CHS out of the current
 * translation).  Records the addressing in s->addr. */
static int tf_address(AtaState *s, int ext, uint64_t *lba, uint64_t *limit)
{
    uint64_t low24 = s->lbal | (uint32_t)s->lbam << 8 | (uint32_t)s->lbah << 16;
    if (ext) {
        s->addr = ADDR_LBA48;
        *lba = low24 | (uint64_t)s->hob_lbal << 24 | (uint64_t)s->hob_lbam << 32 |
               (uint64_t)s->hob_lbah << 40;
        *limit = disk.sectors;
        return 1;
    }
    if (s->device & DEV_LBA) {
        s->addr = ADDR_LBA28;
        *lba = low24 | (uint64_t)(s->device & 0x0f) << 24;
        *limit = disk.sectors < ATA_LBA28_MAX ? disk.sectors : ATA_LBA28_MAX;
        return 1;
    }
    s->addr = ADDR_CHS;
    uint32_t cyl = s->lbam | s->lbah << 8, head = s->device & 0x0f, sect = s->lbal;
    if (!s->cyls || cyl >= s->cyls || head >= s->heads || sect == 0 || sect > s->spt)
        return 0;
    *lba = ((uint64_t)cyl * s->heads + head) * s->spt + sect - 1;
    *limit = (uint64_t)s->cyls * s->heads * s->spt;
    return 1;
}

/* The sectors a media-access command names.  A bad address fails the
 * command with IDNF and returns 0. */
static int ata_media_range(AtaState *s, int ext, uint64_t *lba, uint32_t *count)
{
    uint64_t limit;
    *count = tf_count(s, ext);
    if (!tf_address(s, ext, lba, &limit) || *lba + *count > limit) {
        ata_fail(s, ERR_IDNF);
        return 0;
    }
    s->power = POWER_ACTIVE;
    return 1;
}

/* Put lba and a sector count in the task file, in the command's
 * addressing: after a transfer they name the last sector moved and the
 * sectors left; after an error, the failed sector. */
static void ata_report(AtaState *s, uint64_t lba, uint32_t count)
{
    if (s->addr == ADDR_NONE)
        return;
    s->nsect = (uint8_t)count;
    if (s->addr == ADDR_CHS) {
        uint32_t per_cyl = s->heads * s->spt;
        uint32_t cyl = (uint32_t)(lba / per_cyl), rest = (uint32_t)(lba % per_cyl);
        s->lbal = (uint8_t)(rest % s->spt + 1);
        s->lbam = (uint8_t)cyl;
        s->lbah = (uint8_t)(cyl >> 8);
        s->device = (uint8_t)((s->device & 0xf0) | rest / s->spt);
        return;
    }
    s->lbal = (uint8_t)lba;
    s->lbam = (uint8_t)(lba >> 8);
    s->lbah = (uint8_t)(lba >> 16);
    if (s->addr == ADDR_LBA28) {
        s->device = (uint8_t)((s->device & 0xf0) | ((lba >> 24) & 0x0f));
    } else {
        s->hob_nsect = (uint8_t)(count >> 8);
        s->hob_lbal = (uint8_t)(lba >> 24);
        s->hob_lbam = (uint8_t)(lba >> 32);
        s->hob_lbah = (uint8_t)(lba >> 40);
    }
}

/* ---- PIO transfers ----------------------------------------------------------------
 * A command moves up to ATA_BUF_SECTORS sectors per worker request (a
 * multiple of every block size, so blocks never straddle two requests).
 * Data-in: the worker reads a chunk into buf (BSY); then each DRQ block
 * is announced by an interrupt; after the last block, no interrupt.
 * Data-out: the first block is asked for without an interrupt, the next
 * ones each with one; a full buf goes to the worker (BSY); the end of the
 * command is an interrupt after the last chunk is written. */

/* Hand buf to the worker for `op` on the current chunk; BSY until
 * ata_io_bh calls done(s, err). */
static void ata_io_submit(AtaState *s, int op, void (*done)(AtaState *s, int err))
{
    s->io.op = op;
    s->io.lba = s->lba;
    s->io.count = s->chunk;
    s->io.sync = !s->write_cache;
    s->io.buf = s->buf;
    s->io.err = 0;
    s->io_done = done;
    s->io_busy = 1;
    s->status = ST_BSY | ST_DRDY | ST_DSC;
    pthread_mutex_lock(&io.lock);
    if (!io.stopping) {         /* when vm is exiting, the device just stays busy */
        assert(!io.req);
        io.req = &s->io;
        pthread_cond_broadcast(&io.cond);
    }
    pthread_mutex_unlock(&io.lock);
}

/* The request is back (main loop, BQL): finish what it was for, unless a
 * reset came meanwhile, which it now finishes instead. */
static void ata_reset_finish(AtaState *s);
static void ata_io_bh(void *opaque)
{
    AtaState *s = opaque;
    assert(s->io_busy);
    s->io_busy = 0;
    if (s->control & CTL_SRST)          /* finishes when SRST is cleared */
        return;
    if (s->reset_pending) {
        ata_reset_finish(s);
        return;
    }
    s->io_done(s, s->io.err);
}

/* Offer the next block of buf: DRQ, and the interrupt that announces it
 * when irq is set. */
static void ata_next_block(AtaState *s, int irq)
{
    uint32_t n = s->chunk - s->pos / SECTOR;
    if (n > s->block)
        n = s->block;
    s->drq_end = s->pos + n * SECTOR;
    s->status = ST_DRDY | ST_DSC | ST_DRQ;
    if (irq)
        ata_raise_irq(s);
}

static void ata_read_done(AtaState *s, int err)
{
    if (err) {
        fprintf(stderr, "vm: disk image: read error at sector %llu: %s\n",
                (unsigned long long)s->lba, strerror(err));
        ata_report(s, s->lba, s->chunk + s->left);
        ata_fail(s, ERR_UNC);
        return;
    }
    ata_next_block(s, 1);
}

/* Read the next chunk of a data-in command into buf. */
static void ata_read_chunk(AtaState *s)
{
    s->chunk = s->left < ATA_BUF_SECTORS ? s->left : ATA_BUF_SECTORS;
    s->left -= s->chunk;
    s->pos = 0;
    ata_io_submit(s, IO_READ, ata_read_done);
}

/* The host has read a whole block. */
static void ata_block_in_done(AtaState *s)
{
    uint32_t done = s->pos / SECTOR;
    ata_report(s, s->lba + done - 1, s->chunk - done + s->left);
    if (done < s->chunk) {
        ata_next_block(s, 1);
    } else if (s->left) {
        s->lba += s->chunk;
        ata_read_chunk(s);
    } else {
        s->xfer = XFER_NONE;
        s->status = ST_DRDY | ST_DSC;
    }
}

/* Ask for the next chunk of a data-out command. */
static void ata_write_chunk(AtaState *s, int irq)
{
    s->chunk = s->left < ATA_BUF_SECTORS ? s->left : ATA_BUF_SECTORS;
    s->left -= s->chunk;
    s->pos = 0;
    ata_next_block(s, irq);
}

static void ata_write_done(AtaState *s, int err)
{
    if (err) {
        fprintf(stderr, "vm: disk image: write error at sector %llu: %s\n",
                (unsigned long long)s->lba, strerror(err));
        ata_report(s, s->lba, s->chunk + s->left);
        ata_fail(s, ERR_ABRT);
        return;
    }
    ata_report(s, s->lba + s->chunk - 1, s->left);
    if (!s->left) {
        ata_complete(s);
        return;
    }
    s->lba += s->chunk;
    ata_write_chunk(s, 1);
}

/* The host has written a whole block. */
static void ata_block_out_done(AtaState *s)
{
    if (s->pos < s->chunk * SECTOR)
        ata_next_block(s, 1);
    else
        ata_io_submit(s, IO_WRITE, ata_write_done);
}

/* One 16-bit word through the data port. */
static uint32_t ata_data_in(AtaState *s)
{
    if (s->xfer != XFER_IN || !(s->status & ST_DRQ) || (s->device & DEV_DEV))
        return 0xffff;
    uint32_t v = s->buf[s->pos] | (uint32_t)s->buf[s->pos + 1] << 8;
    s->pos += 2;
    if (s->pos == s->drq_end)
        ata_block_in_done(s);
    return v;
}

static void ata_data_out(AtaState *s, uint32_t v)
{
    if (s->xfer != XFER_OUT || !(s->status & ST_DRQ) || (s->device & DEV_DEV))
        return;
    s->buf[s->pos] = (uint8_t)v;
    s->buf[s->pos + 1] = (uint8_t)(v >> 8);
    s->pos += 2;
    if (s->pos == s->drq_end)
        ata_block_out_done(s);
}

/* ---- IDENTIFY DEVICE (ATA-6 8.15) ---------------------------------------------------- */

/* An ATA string: two characters a word, the first in the high byte,
 * padded with spaces. */
static void id_string(uint16_t *w, int first, int nwords, const char *str)
{
    size_t len = strlen(str);
    for (int i = 0; i < nwords; i++) {
        uint8_t hi = (size_t)(2 * i) < len ? (uint8_t)str[2 * i] : ' ';
        uint8_t lo = (size_t)(2 * i + 1) < len ? (uint8_t)str[2 * i + 1] : ' ';
        w[first + i] = (uint16_t)(hi << 8 | lo);
    }
}

static void ata_identify_words(const AtaState *s, uint16_t *w)
{
    uint64_t n = disk.sectors;
    uint32_t lba28 = n < ATA_LBA28_MAX ? (uint32_t)n : ATA_LBA28_MAX;
    uint32_t chs = s->cyls * s->heads * s->spt;
    memset(w, 0, 256 * sizeof(*w));
    w[0] = 0x0040;                      /* ATA device, not removable */
    w[1] = (uint16_t)ata_cyls_for(16, 63);  /* the default translation */
    w[3] = 16;
    w[6] = 63;
    id_string(w, 10, 10, "VM0000000001");   /* serial number */
    id_string(w, 23, 4, "1.0");             /* firmware revision */
    id_string(w, 27, 20, "VM HARDDISK");    /* model */
    w[47] = 0x8000 | ATA_MAX_MULT;
    w[49] = 0x0e00;                     /* LBA; IORDY, which can be disabled; no DMA */
    w[50] = 0x4000;
    w[51] = 0x0200;                     /* PIO mode 2 timing (obsolete, as every disk fills it) */
    w[53] = 0x0003;                     /* words 54-58 and 64-70 are valid */
    w[54] = (uint16_t)s->cyls;          /* the current translation */
    w[55] = (uint16_t)s->heads;
    w[56] = (uint16_t)s->spt;
    w[57] = (uint16_t)chs;
    w[58] = (uint16_t)(chs >> 16);
    w[59] = s->mult ? (uint16_t)(0x0100 | s->mult) : 0;
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    w[64] = 0x0003;                     /* PIO modes 3 and 4 */
    w[67] = 120;                        /* shortest PIO cycle, ns: without IORDY */
    w[68] = 120;                        /*                         with IORDY */
    w[80] = 0x007e;                     /* ATA-1 to ATA/ATAPI-6 */
    w[82] = 0x0068;                     /* look-ahead, write cache, power management */
    w[83] = 0x7400;                     /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
    w[84] = 0x4000;
    w[85] = (uint16_t)(0x0008 | s->write_cache << 5 | s->look_ahead << 6);
    w[86] = 0x3400;
    w[87] = 0x4000;
    for (int i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(n >> (16 * i));
    uint8_t sum = 0xa5;                 /* word 255: signature A5h and a checksum */
    for (int i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
    w[255] = (uint16_t)(0xa5 | (uint8_t)-sum << 8);
}

static void cmd_identify(AtaState *s, const AtaCommand *c)
{
    (void)c;
    uint16_t w[256];
    ata_identify_words(s, w);
    for (int i = 0; i < 256; i++) {
        s->buf[2 * i] = (uint8_t)w[i];
        s->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    s->xfer = XFER_IN;
    s->addr = ADDR_NONE;
    s->chunk = 1;
    s->left = 0;
    s->block = 1;
    s->pos = 0;
    ata_next_block(s, 1);
}

/* ---- Commands ----------------------------------------------------------------------- */

static void cmd_read(AtaState *s, const AtaCommand *c)
{
    uint64_t lba;
    uint32_t count;
    if ((c->flags & CMD_MULTIPLE) && !s->mult) {
        ata_fail(s, ERR_ABRT);
        return;
    }
    if (!ata_media_range(s, c->flags & CMD_EXT, &lba, &count))
        return;
    s->xfer = XFER_IN;
    s->lba = lba;
    s->left = count;
    s->block = (c->flags & CMD_MULTIPLE) ? (uint32_t)s->mult : 1;
    ata_read_chunk(s);
}

/* A write-protected image (read-only file) aborts writes, as
 * write-protected media do. */
static void cmd_write(AtaState *s, const AtaCommand *c)
{
    uint64_t lba;
    uint32_t count;
    if (((c->flags & CMD_MULTIPLE) && !s->mult) || disk.read_only) {
        ata_fail(s, ERR_ABRT);
        return;
    }
    if (!ata_media_range(s, c->flags & CMD_EXT, &lba, &count))
        return;
    s->xfer = XFER_OUT;
    s->lba = lba;
    s->left = count;
    s->block = (c->flags & CMD_MULTIPLE) ? (uint32_t)s->mult : 1;
    ata_write_chunk(s, 0);
}

/* READ VERIFY: the sectors exist, and an image reads without error. */
static void cmd_verify(AtaState *s, const AtaCommand *c)
{
    uint64_t lba;
    uint32_t count;
    if (!ata_media_range(s, c->flags & CMD_EXT, &lba, &count))
        return;
    ata_report(s, lba + count - 1, 0);
    ata_complete(s);
}

static void cmd_seek(AtaState *s, const AtaCommand *c)
{
    uint64_t lba, limit;
    (void)c;
    if (!tf_address(s, 0, &lba, &limit) || lba >= limit) {
        ata_fail(s, ERR_IDNF);
        return;
    }
    s->power = POWER_ACTIVE;
    ata_complete(s);
}

/* RECALIBRATE, and the commands that only need a "done". */
static void cmd_nop_done(AtaState *s, const AtaCommand *c)
{
    (void)c;
    ata_complete(s);
}

static void ata_flush_done(AtaState *s, int err)
{
    if (err) {
        fprintf(stderr, "vm: disk image: flush failed: %s\n", strerror(err));
        ata_fail(s, ERR_ABRT);
        return;
    }
    ata_complete(s);
}

/* FLUSH CACHE (EXT): fsync the image on the worker. */
static void cmd_flush(AtaState *s, const AtaCommand *c)
{
    (void)c;
    s->addr = ADDR_NONE;
    ata_io_submit(s, IO_FLUSH, ata_flush_done);
}

/* SET MULTIPLE MODE: block sizes 1, 2, 4, 8, 16; 0 turns the multiple
 * commands off, and so does a size we do not support. */
static void cmd_set_multiple(AtaState *s, const AtaCommand *c)
{
    (void)c;
    uint32_t n = s->nsect;
    if (n > ATA_MAX_MULT || (n & (n - 1))) {
        s->mult = 0;
        ata_fail(s, ERR_ABRT);
        return;
    }
    s->mult = (int)n;
    ata_complete(s);
}

/* INITIALIZE DEVICE PARAMETERS: the CHS translation, sectors per track
 * from the sector count, heads - 1 from the device/head register. */
static void cmd_init_params(AtaState *s, const AtaCommand *c)
{
    (void)c;
    if (!s->nsect) {
        s->cyls = 0;                    /* no valid translation until the next one */
        ata_fail(s, ERR_ABRT);
        return;
    }
    ata_set_geometry(s, (s->device & 0x0f) + 1u, s->nsect);
    ata_complete(s);
}

/* The task-file signature of an ATA device, as after a reset. */
static void ata_set_signature(AtaState *s)
{
    s->nsect = 1;
    s->lbal = 1;
    s->lbam = 0;
    s->lbah = 0;
    s->hob_nsect = s->hob_lbal = s->hob_lbam = s->hob_lbah = 0;
    s->device = 0;
    s->error = ERR_DIAG_OK;
}

/* EXECUTE DEVICE DIAGNOSTIC: device 0 passed, there is no device 1. */
static void cmd_diagnostic(AtaState *s, const AtaCommand *c)
{
    (void)c;
    ata_set_signature(s);
    s->xfer = XFER_NONE;
    s->status = ST_DRDY | ST_DSC;
    ata_raise_irq(s);
}

/* SET FEATURES: the write cache, transfer mode (PIO only), read
 * look-ahead, and whether a software reset reverts to defaults. */
static void cmd_set_features(AtaState *s, const AtaCommand *c)
{
    (void)c;
    switch (s->feature) {
    case 0x02: s->write_cache = 1; break;
    case 0x82:                          /* write cache off: what it held goes to the media */
        s->write_cache = 0;
        s->addr = ADDR_NONE;
        ata_io_submit(s, IO_FLUSH, ata_flush_done);
        return;
    case 0x03:                          /* PIO default (00h, 01h) or PIO flow control mode 0-4 */
        if (s->nsect > 0x01 && (s->nsect < 0x08 || s->nsect > 0x0c)) {
            ata_log("SET FEATURES: unsupported transfer mode", s->nsect);
            ata_fail(s, ERR_ABRT);
            return;
        }
        break;
    case 0xaa: s->look_ahead = 1; break;
    case 0x55: s->look_ahead = 0; break;
    case 0x66: s->revert_defaults = 0; break;
    case 0xcc: s->revert_defaults = 1; break;
    default:
        ata_log("SET FEATURES: unsupported subcommand", s->feature);
        ata_fail(s, ERR_ABRT);
        return;
    }
    ata_complete(s);
}

static void cmd_idle(AtaState *s, const AtaCommand *c)
{
    (void)c;
    s->power = POWER_IDLE;
    ata_complete(s);
}

static void cmd_standby(AtaState *s, const AtaCommand *c)
{
    (void)c;
    s->power = POWER_STANDBY;
    ata_complete(s);
}

static void cmd_sleep(AtaState *s, const AtaCommand *c)
{
    (void)c;
    s->power = POWER_STANDBY;
    ata_complete(s);
    s->sleeping = 1;
}

static void cmd_check_power(AtaState *s, const AtaCommand *c)
{
    (void)c;
    s->nsect = s->power;
    ata_complete(s);
}

/* READ NATIVE MAX ADDRESS (EXT): the last sector, in the addressing the
 * command asks for (28-bit LBA stops below 0FFFFFFFh, as IDENTIFY does). */
static void cmd_native_max(AtaState *s, const AtaCommand *c)
{
    uint64_t last;
    if (c->flags & CMD_EXT) {
        s->addr = ADDR_LBA48;
        last = disk.sectors - 1;
    } else if (s->device & DEV_LBA) {
        s->addr = ADDR_LBA28;
        last = (disk.sectors < ATA_LBA28_MAX ? disk.sectors : ATA_LBA28_MAX) - 1;
    } else {
        s->addr = ADDR_CHS;
        if (!s->cyls) {
            ata_fail(s, ERR_ABRT);
            return;
        }
        last = (uint64_t)s->cyls * s->heads * s->spt - 1;
    }
    uint8_t nsect = s->nsect, hob_nsect = s->hob_nsect;
    ata_report(s, last, 0);
    s->nsect = nsect;                   /* the sector count is left as it was */
    s->hob_nsect = hob_nsect;
    ata_complete(s);
}

/* The commands, by opcode; any other aborts (ABRT), among them IDENTIFY
 * PACKET DEVICE (A1h: this is no packet device), the DMA commands (no DMA
 * here) and NOP (which always aborts).  RECALIBRATE and SEEK also came as
 * 1xh and 7xh in ATA-1, the low nibble a step rate: ata_command folds
 * those onto 10h and 70h. */
static const AtaCommand ata_commands[256] = {
    [0x10] = { cmd_nop_done,     0, "RECALIBRATE" },
    [0x20] = { cmd_read,         0, "READ SECTORS" },
    [0x21] = { cmd_read,         0, "READ SECTORS (no retry)" },
    [0x24] = { cmd_read,         CMD_EXT, "READ SECTORS EXT" },
    [0x27] = { cmd_native_max,   CMD_EXT, "READ NATIVE MAX ADDRESS EXT" },
    [0x29] = { cmd_read,         CMD_EXT | CMD_MULTIPLE, "READ MULTIPLE EXT" },
    [0x30] = { cmd_write,        0, "WRITE SECTORS" },
    [0x31] = { cmd_write,        0, "WRITE SECTORS (no retry)" },
    [0x34] = { cmd_write,        CMD_EXT, "WRITE SECTORS EXT" },
    [0x39] = { cmd_write,        CMD_EXT | CMD_MULTIPLE, "WRITE MULTIPLE EXT" },
    [0x40] = { cmd_verify,       0, "READ VERIFY SECTORS" },
    [0x41] = { cmd_verify,       0, "READ VERIFY SECTORS (no retry)" },
    [0x42] = { cmd_verify,       CMD_EXT, "READ VERIFY SECTORS EXT" },
    [0x70] = { cmd_seek,         0, "SEEK" },
    [0x90] = { cmd_diagnostic,   0, "EXECUTE DEVICE DIAGNOSTIC" },
    [0x91] = { cmd_init_params,  0, "INITIALIZE DEVICE PARAMETERS" },
    [0x94] = { cmd_standby,      0, "STANDBY IMMEDIATE (ATA-1 code)" },
    [0x95] = { cmd_idle,         0, "IDLE IMMEDIATE (ATA-1 code)" },
    [0x96] = { cmd_standby,      0, "STANDBY (ATA-1 code)" },
    [0x97] = { cmd_idle,         0, "IDLE (ATA-1 code)" },
    [0x98] = { cmd_check_power,  0, "CHECK POWER MODE (ATA-1 code)" },
    [0x99] = { cmd_sleep,        0, "SLEEP (ATA-1 code)" },
    [0xc4] = { cmd_read,         CMD_MULTIPLE, "READ MULTIPLE" },
    [0xc5] = { cmd_write,        CMD_MULTIPLE, "WRITE MULTIPLE" },
    [0xc6] = { cmd_set_multiple, 0, "SET MULTIPLE MODE" },
    [0xe0] = { cmd_standby,      0, "STANDBY IMMEDIATE" },
    [0xe1] = { cmd_idle,         0, "IDLE IMMEDIATE" },
    [0xe2] = { cmd_standby,      0, "STANDBY" },
    [0xe3] = { cmd_idle,         0, "IDLE" },
    [0xe5] = { cmd_check_power,  0, "CHECK POWER MODE" },
    [0xe6] = { cmd_sleep,        0, "SLEEP" },
    [0xe7] = { cmd_flush,        0, "FLUSH CACHE" },
    [0xea] = { cmd_flush,        CMD_EXT, "FLUSH CACHE EXT" },
    [0xec] = { cmd_identify,     0, "IDENTIFY DEVICE" },
    [0xef] = { cmd_set_features, 0, "SET FEATURES" },
    [0xf8] = { cmd_native_max,   0, "READ NATIVE MAX ADDRESS" },
};

/* A write to the command register.  Device 1 is absent, so a command for
 * it goes nowhere, except EXECUTE DEVICE DIAGNOSTIC, which is for both.
 * A busy or sleeping device ignores commands; a new command abandons a
 * data transfer in progress. */
static void ata_command(AtaState *s, uint8_t cmd)
{
    if (((s->device & DEV_DEV) && cmd != 0x90) || (s->status & ST_BSY) || s->sleeping)
        return;
    s->irq_pending = 0;
    ata_update_irq(s);
    s->xfer = XFER_NONE;
    s->error = 0;
    uint8_t op = (cmd & 0xf0) == 0x10 ? 0x10 : (cmd & 0xf0) == 0x70 ? 0x70 : cmd;
    const AtaCommand *c = &ata_commands[op];
    if (!c->run) {
        ata_log("unsupported command, aborted:", cmd);
        ata_fail(s, ERR_ABRT);
        return;
    }
    if (log_mask & LOG_IOPORT)
        log_printf("ata: %s (0x%02x)\n", c->name, cmd);
    c->run(s, c);
}

/* ---- Resets ---------------------------------------------------------------------- */

static void ata_set_defaults(AtaState *s)
{
    s->mult = 0;
    ata_set_geometry(s, 16, 63);
    s->write_cache = 1;
    s->look_ahead = 1;
}

/* The start of a reset: busy, whatever was going on is dropped. */
static void ata_reset_begin(AtaState *s)
{
    s->status = ST_BSY;
    s->xfer = XFER_NONE;
    s->irq_pending = 0;
    ata_update_irq(s);
}

/* The end of a reset: the signature, ready, awake.  A reset that ends
 * while a request is with the worker finishes when it comes back
 * (ata_io_bh): until then the device stays busy. */
static void ata_reset_finish(AtaState *s)
{
    if (s->io_busy) {
        s->reset_pending = 1;
        return;
    }
    s->reset_pending = 0;
    ata_set_signature(s);
    s->status = ST_DRDY | ST_DSC;
    s->power = POWER_ACTIVE;
    s->sleeping = 0;
    ata_update_irq(s);
}

/* Device control: nIEN gates INTRQ; SRST high resets the device, which
 * finishes the reset when SRST goes low again. */
static void ata_control_write(AtaState *s, uint8_t v)
{
    uint8_t was = s->control;
    s->control = v;
    if ((v & CTL_SRST) && !(was & CTL_SRST)) {
        if (s->revert_defaults)
            ata_set_defaults(s);
        ata_reset_begin(s);
    } else if (!(v & CTL_SRST) && (was & CTL_SRST)) {
        ata_reset_finish(s);
    }
    ata_update_irq(s);
}

/* ---- Ports and the outside world ------------------------------------------------- */

/* The image: its fd (open for reading, and for writing unless read_only),
 * its size in bytes (at most 2 TiB, checked by the caller).  Main thread,
 * once, before devices_init. */
void ata_attach(int fd, uint64_t bytes, int read_only, int snapshot)
{
    disk.fd = fd;
    disk.sectors = (bytes + SECTOR - 1) / SECTOR;
    disk.read_only = read_only;
    disk.snapshot = snapshot;
    disk.attached = 1;
    atexit(ata_shutdown);       /* exit paths that bypass vm_exit flush too */
}

/* The device and its worker thread, if there is a disk.  BQL held, from
 * devices_init; devices_reset then resets it. */
void ata_init(void)
{
    if (!disk.attached)
        return;
    ata.buf = malloc(ATA_BUF_SECTORS * SECTOR);
    if (!ata.buf) {
        fprintf(stderr, "vm: out of memory\n");
        exit(2);
    }
    io.done_bh = bh_new(ata_io_bh, &ata);
    pthread_t thread;
    int err = pthread_create(&thread, NULL, ata_io_thread, NULL);
    if (err) {
        fprintf(stderr, "vm: cannot start the disk I/O thread: %s\n", strerror(err));
        exit(1);
    }
    pthread_detach(thread);
}

/* A hardware reset (power-on, the machine's RESET line).  BQL held. */
void ata_reset(void)
{
    if (!disk.attached)
        return;
    ata.control = 0;
    ata.revert_defaults = 0;
    ata_set_defaults(&ata);
    ata_reset_begin(&ata);
    ata_reset_finish(&ata);
}

/* A byte register at port (0x1F0-0x1F7 or 0x3F6).  Without a disk the
 * ports are unassigned and read all-ones.  BQL held. */
uint8_t ata_read(uint32_t port)
{
    AtaState *s = &ata;
    if (!disk.attached)
        return 0xff;
    int hob = s->control & CTL_HOB;
    switch (port) {
    case ATA_PORT_DATA: return (uint8_t)ata_data_read(1);
    case 0x1f1: return s->error;
    case 0x1f2: return hob ? s->hob_nsect : s->nsect;
    case 0x1f3: return hob ? s->hob_lbal : s->lbal;
    case 0x1f4: return hob ? s->hob_lbam : s->lbam;
    case 0x1f5: return hob ? s->hob_lbah : s->lbah;
    case 0x1f6: return s->device;
    case 0x1f7:                         /* reading Status acknowledges the interrupt */
        if (s->device & DEV_DEV)
            return 0;
        s->irq_pending = 0;
        ata_update_irq(s);
        return s->status;
    case ATA_CTL:                       /* alternate status: no acknowledge */
        return (s->device & DEV_DEV) ? 0 : s->status;
    }
    return 0xff;
}

/* Every write to a command-block register clears HOB (ATA-6 6.2.3); the
 * FIFO registers keep the byte they held as the previous one.  BQL held. */
void ata_write(uint32_t port, uint8_t v)
{
    AtaState *s = &ata;
    if (!disk.attached)
        return;
    if (port == ATA_CTL) {
        ata_control_write(s, v);
        return;
    }
    s->control &= (uint8_t)~CTL_HOB;
    switch (port) {
    case ATA_PORT_DATA: ata_data_write(v, 1); break;
    case 0x1f1: s->hob_feature = s->feature; s->feature = v; break;
    case 0x1f2: s->hob_nsect = s->nsect; s->nsect = v; break;
    case 0x1f3: s->hob_lbal = s->lbal; s->lbal = v; break;
    case 0x1f4: s->hob_lbam = s->lbam; s->lbam = v; break;
    case 0x1f5: s->hob_lbah = s->lbah; s->lbah = v; break;
    case 0x1f6: s->device = v; ata_update_irq(s); break;
    case 0x1f7: ata_command(s, v); break;
    }
}

/* The data port: size 2 moves a word, 4 two words (first in the low
 * half), 1 a word of which the CPU keeps the low byte.  BQL held. */
uint32_t ata_data_read(int size)
{
    if (!disk.attached)
        return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
    uint32_t v = ata_data_in(&ata);
    if (size == 4)
        v |= ata_data_in(&ata) << 16;
    return size == 1 ? v & 0xff : v;
}

void ata_data_write(uint32_t value, int size)
{
    if (!disk.attached)
        return;
    ata_data_out(&ata, value & 0xffff);
    if (size == 4)
        ata_data_out(&ata, value >> 16);
}
