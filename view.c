/*
 * view.c - guest memory views: the guest's pages mapped into host address
 * space where the guest sees them, so translated code reaches a memory
 * operand with one host instruction (docs/memory.md, "Views").
 *
 * Each vCPU has two views, one per TLB (supervisor and user accesses): a
 * 4 GiB window of host address space, reserved PROT_NONE, in which the
 * host page at window + L maps the guest RAM page that guest linear page
 * L translates to, read-only or read-write.  Guest RAM is a memfd, so one
 * page of it can be mapped at several places at once.  The host's GS base
 * is the view of the vCPU a thread runs, at its CPL (view_enter), and
 * translated code runs a memory operand on gs:[linear] (translate.c,
 * gen_view_op).  A page the view does not map, or maps read-only for a
 * write, faults in the host: the SIGSEGV handler here sends the host
 * instruction to its slow path (the same one a TLB miss takes), which
 * checks the access as the guest CPU would, raises the guest's fault, or
 * runs the access and then maps the page (view_map), so that the next
 * access is direct.
 *
 * A view only ever allows what the vCPU's TLB allows: a page is mapped
 * after a TLB fill said it may be read (and written: dirty already, not
 * read-only, no translated code on it), and the mapping goes whenever the
 * TLB forgets the translation (flush, MOV CR3, INVLPG: view_flush*) or
 * the page gets code (view_watch_phys).  It may keep a page after the
 * TLB's slot is refilled with another one, as a bigger TLB would.  A
 * 4 MiB page of RAM is mapped whole.  ROM, and unassigned memory (one
 * shared page of all-ones), are mapped read-only; device pages and pages
 * gdb watches never: every access to them takes the slow path.
 *
 * Threads and locks: a vCPU's views are its own thread's, like its TLB
 * (all of them draw on one budget of host mappings, an atomic count);
 * view_watch_phys, which changes every vCPU's, runs with the others
 * stopped (an exclusive section), as tlb_watch_page does.  The SIGSEGV
 * handler runs on the faulting vCPU's thread and only reads.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "vm.h"

int mem_views = 1;                  /* -accel tcg,views=off: 0 */
static int ram_fd = -1;
static uint8_t *mem_base;           /* the memfd, mapped: RAM, the all-ones page, ROM */
static uint32_t ram_bytes, mem_bytes;
static uint8_t *ram_wmapped;        /* RAM page -> some view may map it writable */

#define VIEW_SPAN   (1ull << 32)
/* Guards around the window: translated code may address gs:[reg + disp32]
 * (a 32-bit register, disp sign-extended), which lies up to 2 GiB below
 * or above it where the guest's address wraps; the high one also takes
 * an operand that starts below 4 GiB and ends past it. */
#define VIEW_GUARD_LO (1ull << 31)
#define VIEW_GUARD_HI ((1ull << 31) + (1ull << 16))
#define VIEW_RESERVE  (VIEW_GUARD_LO + VIEW_SPAN + VIEW_GUARD_HI)
/* How many pages the views may map: Linux refuses a process more than
 * vm.max_map_count mappings (65,530 by default), and a page mapped amid
 * PROT_NONE splits the reservation, two mappings (so does a 4 KiB page
 * made read-only inside a 4 MiB one).  So every view charges two
 * mappings per entry to one budget for all of them, some room left for
 * the rest of the process, and a view that finds the budget spent starts
 * afresh (its own pages go; those of a vCPU that keeps running stay).
 * One vCPU may so use all of it: k_tlb, 8,192 pages walked over and over,
 * took over 60 s instead of 0.8 when every view started afresh at 8,192.
 * Should the host refuse a mapping all the same (the rest of the process
 * took more), the view starts afresh too (view_lost).  A view holds at
 * most VIEW_MAX entries, which its 16-bit slots can index. */
#define VIEW_MAX    65535u
#define VMAS_OTHER  4096u           /* mappings left to the rest of the process */
static uint32_t view_budget;        /* entries all views may charge: set once */
static uint32_t view_charged;       /* entries charged now, all views: atomic */
#define VP_WRITE    1u
#define VP_GLOBAL   2u
#define VP_LARGE    4u              /* a 4 MiB page: 4 MiB of RAM in one mapping */
#define VP_DEAD     0xffffffffu
#define LARGE_SIZE  0x400000u

typedef struct View {
    uint8_t *base;
    uint32_t n;                     /* entries used in page[] and phys[] */
    uint32_t *page;                 /* [VIEW_MAX]: linear page | VP_*, or VP_DEAD */
    uint32_t *phys;                 /* [VIEW_MAX] */
    uint16_t *slot;                 /* linear page number -> index in page[] + 1 */
    uint16_t lslot[1024];           /* 4 MiB region -> index + 1 of its VP_LARGE entry; */
                                    /* then no 4 KiB entry lies in the region */
    uint32_t splits;                /* 4 KiB pages changed inside 4 MiB entries: charged too */
    uint32_t losses;                /* times view_lost emptied it */
} View;

/* Guest RAM as a memfd, so that a page can be mapped at several places;
 * after it a page of all-ones (what unassigned addresses read) and a copy
 * of the BIOS image, which *rom then points to, so views can map those
 * read-only too.  NULL: no views (RAM is then the caller's business). */
uint8_t *view_mem_alloc(uint32_t ram_size, uint8_t **rom, uint32_t rom_size)
{
    ram_bytes = ram_size;
    if (rom_size % PAGE_SIZE)           /* ROM pages would not be whole memfd pages */
        rom_size = 0;
    mem_bytes = ram_size + PAGE_SIZE + rom_size;
    if (!mem_views)
        return NULL;
    ram_fd = memfd_create("vm-ram", MFD_CLOEXEC);
    if (ram_fd < 0 || ftruncate(ram_fd, mem_bytes) < 0)
        goto fail;
    mem_base = mmap(NULL, mem_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, ram_fd, 0);
    ram_wmapped = calloc(ram_size >> PAGE_BITS, 1);
    if (mem_base == MAP_FAILED || !ram_wmapped)
        goto fail;
    memset(mem_base + ram_size, 0xff, PAGE_SIZE);
    if (rom_size) {
        memcpy(mem_base + ram_size + PAGE_SIZE, *rom, rom_size);
        free(*rom);
        *rom = mem_base + ram_size + PAGE_SIZE;
    }
    return mem_base;
fail:
    mem_views = 0;
    if (ram_fd >= 0)
        close(ram_fd);
    return NULL;
}

static void *reserve(uint64_t len)
{
    void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Make [addr, addr+len) inaccessible again; 0, or -1 if the host
 * refused (out of mappings: splitting one takes a new one). */
static int view_clear(uint8_t *addr, uint64_t len)
{
    return mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
                -1, 0) == MAP_FAILED ? -1 : 0;
}

/* The host refused a change to v (vm.max_map_count, most likely, with
 * mappings vm did not count): drop every page, which always works (the
 * whole window becomes one PROT_NONE mapping again, split from nothing:
 * fence_guards).  Callers stop whatever they were doing to v (losses
 * tells them). */
static void view_lost(View *v);

/* Map the guards around a window again, without MAP_NORESERVE: host
 * mappings with different flags never merge, so the window's edges stay
 * mapping boundaries, and emptying the whole window (view_drop_all) never
 * splits one, the one change the host could refuse when vm is at its
 * limit of mappings.  1, or 0 if the host refused. */
static int fence_guards(uint8_t *area)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    return mmap(area, VIEW_GUARD_LO, PROT_NONE, flags, -1, 0) != MAP_FAILED &&
           mmap(area + VIEW_GUARD_LO + VIEW_SPAN, VIEW_GUARD_HI, PROT_NONE, flags, -1, 0) !=
               MAP_FAILED;
}

/* view_budget: the host's limit, less the rest of the process, over two. */
static uint32_t view_capacity(void)
{
    unsigned long limit = 65530;        /* the kernel's default */
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%lu", &limit) != 1)
            limit = 65530;
        fclose(f);
    }
    return limit > 2 * VMAS_OTHER ? (uint32_t)((limit - VMAS_OTHER) / 2) : 256;
}

/* Reserve the vCPU's two windows.  If that fails, views are off for the
 * whole machine (before any code is translated). */
void view_init(CPU *cpu)
{
    if (!mem_views)
        return;
    if (!view_budget)
        view_budget = view_capacity();
    for (int m = 0; m < NB_MMU; m++) {
        View *v = calloc(1, sizeof(*v));
        uint8_t *area = reserve(VIEW_RESERVE);
        uint8_t *base = area && fence_guards(area) ? area + VIEW_GUARD_LO : NULL;
        uint16_t *slot = reserve((VIEW_SPAN >> PAGE_BITS) * sizeof(uint16_t));
        uint32_t *page = malloc(VIEW_MAX * sizeof(uint32_t));
        uint32_t *phys = malloc(VIEW_MAX * sizeof(uint32_t));
        if (!v || !base || !slot || !page || !phys ||
            mprotect(slot, (VIEW_SPAN >> PAGE_BITS) * sizeof(uint16_t), PROT_READ | PROT_WRITE)) {
            mem_views = 0;
            free(v);
            free(page);
            free(phys);
            return;
        }
        v->base = base;
        v->slot = slot;
        v->page = page;
        v->phys = phys;
        cpu->view[m] = v;
        cpu->view_base[m] = base;
    }
}

/* Point the slot of entry `page` (linear | VP_*) at index + 1, or 0. */
static void view_set_slot(View *v, uint32_t page, uint32_t index1)
{
    if (page & VP_LARGE)
        v->lslot[page >> 22] = (uint16_t)index1;
    else
        v->slot[page >> PAGE_BITS] = (uint16_t)index1;
}

/* Make [addr, addr+len) of v read-only (a page got code). */
static void view_protect_ro(View *v, uint8_t *addr, uint32_t len)
{
    if (mprotect(addr, len, PROT_READ))
        view_lost(v);
}

static int view_charge(View *v);

/* Charge a change to one 4 KiB page inside a 4 MiB mapping, which splits
 * it, as an entry: 1, or 0 if the view started afresh for it (the 4 MiB
 * mapping went too: nothing left to change). */
static int view_charge_split(View *v)
{
    uint32_t n = v->n;
    if (!view_charge(v))
        return 0;
    v->splits++;
    return v->n == n;
}

/* view_protect_ro for a 4 KiB page inside a 4 MiB mapping: 1, or 0 if
 * the view started afresh instead. */
static int view_protect_in_large(View *v, uint8_t *addr)
{
    uint32_t losses = v->losses;
    if (!view_charge_split(v))
        return 0;
    view_protect_ro(v, addr, PAGE_SIZE);
    return v->losses == losses;
}

/* Map [linear, linear+len) of view v to the memfd at `off`, read-only
 * unless bits has VP_WRITE; a writable RAM page is noted in ram_wmapped,
 * for view_watch_phys.  0, or -1 if the host refused (view_lost ran). */
static int view_mmap(View *v, uint32_t linear, uint32_t len, uint32_t off, uint32_t bits,
                     int populate)
{
    int prot = PROT_READ | (bits & VP_WRITE ? PROT_WRITE : 0);
    if (bits & VP_WRITE)
        for (uint32_t k = 0; k < len; k += PAGE_SIZE)
            __atomic_store_n(&ram_wmapped[(off + k) >> PAGE_BITS], 1, __ATOMIC_RELAXED);
    if (mmap(v->base + linear, len, prot, MAP_SHARED | MAP_FIXED | (populate ? MAP_POPULATE : 0),
             ram_fd, (off_t)off) == MAP_FAILED) {
        view_lost(v);
        return -1;
    }
    return 0;
}

/* Forget every page: one mmap over the whole window. */
static void view_drop_all(View *v)
{
    for (uint32_t i = 0; i < v->n; i++)
        if (v->page[i] != VP_DEAD)
            view_set_slot(v, v->page[i], 0);
    __atomic_sub_fetch(&view_charged, v->n + v->splits, __ATOMIC_RELAXED);
    v->n = 0;
    v->splits = 0;
    if (view_clear(v->base, VIEW_SPAN)) {
        fprintf(stderr, "vm: cannot unmap guest memory from a view\n");
        abort();
    }
}

static void view_reset(View *v)
{
    if (v->n || v->splits)
        view_drop_all(v);
}

static void view_lost(View *v)
{
    v->losses++;
    view_drop_all(v);
}

/* Charge one more entry to the budget, before v->n or v->splits grows:
 * 1, or 0 when it is spent even after v started afresh (the other views
 * hold it: the page stays unmapped, its accesses take the slow path). */
static int view_charge(View *v)
{
    for (int fresh = 0; fresh < 2; fresh++) {
        if (v->n < VIEW_MAX) {
            if (__atomic_add_fetch(&view_charged, 1, __ATOMIC_RELAXED) <= view_budget)
                return 1;
            __atomic_sub_fetch(&view_charged, 1, __ATOMIC_RELAXED);
        }
        view_reset(v);
    }
    return 0;
}

static void view_unmap_index(View *v, uint32_t i)
{
    uint32_t page = v->page[i] & PAGE_MASK;
    int large = (v->page[i] & VP_LARGE) != 0;
    view_set_slot(v, v->page[i], 0);
    v->page[i] = VP_DEAD;
    if (view_clear(v->base + page, large ? LARGE_SIZE : PAGE_SIZE))
        view_lost(v);
}

/* Map linear page `page` to the memfd at `off` (read-only unless
 * VP_WRITE), which is RAM at physical address `off` when in RAM. */
static void view_map_page(View *v, uint32_t page, uint32_t off, uint32_t bits)
{
    if (v->lslot[page >> 22])           /* the region was a 4 MiB page: no more */
        view_unmap_index(v, v->lslot[page >> 22] - 1u);
    uint32_t i = v->slot[page >> PAGE_BITS];
    if (i && v->page[i - 1] == (page | bits) && v->phys[i - 1] == off)
        return;                             /* a write to ROM or nothing: still read-only */
    if (i) {
        i--;
    } else {
        if (!view_charge(v))
            return;
        i = v->n++;
        v->slot[page >> PAGE_BITS] = (uint16_t)(i + 1);
    }
    v->page[i] = page | bits;
    v->phys[i] = off;
    view_mmap(v, page, PAGE_SIZE, off, bits, 1);
}

/* Map the 4 MiB region at linear `big` to RAM at `frame` in one call (a
 * 4 MiB page: one translation for all of it, as in the TLB).  The 4 KiB
 * entries there go; pages that hold code stay read-only. */
static void view_map_large(View *v, uint32_t big, uint32_t frame, uint32_t bits)
{
    for (uint32_t k = 0; k < 1024; k++) {
        uint16_t *sl = &v->slot[(big >> PAGE_BITS) + k];
        if (*sl) {
            v->page[*sl - 1] = VP_DEAD;
            *sl = 0;
        }
    }
    if (v->lslot[big >> 22])
        v->page[v->lslot[big >> 22] - 1] = VP_DEAD;
    if (!view_charge(v))
        return;
    uint32_t i = v->n++;
    v->page[i] = big | bits | VP_LARGE;
    v->phys[i] = frame;
    v->lslot[big >> 22] = (uint16_t)(i + 1);
    if (view_mmap(v, big, LARGE_SIZE, frame, bits, 0) || !(bits & VP_WRITE))
        return;                                     /* (no populate: untouched RAM stays so) */
    for (uint32_t k = 0; k < LARGE_SIZE; k += PAGE_SIZE)
        if (tb_page_has_code(frame + k) && !view_protect_in_large(v, v->base + big + k))
            return;
}

/* linear's page in a 4 MiB page of RAM (frame: where the 4 MiB starts).
 * Mapped as a whole already: only this 4 KiB page's protection may have
 * to change (it held code, or holds it now); else map the whole. */
static void view_map_in_large(View *v, uint32_t linear, uint32_t frame, uint32_t bits)
{
    uint32_t big = linear & ~(LARGE_SIZE - 1), i = v->lslot[big >> 22];
    if (i && v->phys[i - 1] == frame &&
        (v->page[i - 1] & ~VP_WRITE) == (big | (bits & ~VP_WRITE) | VP_LARGE) &&
        (v->page[i - 1] & VP_WRITE || !(bits & VP_WRITE))) {
        if (view_charge_split(v)) {
            view_mmap(v, linear & PAGE_MASK, PAGE_SIZE,
                      frame + (linear & (LARGE_SIZE - 1) & PAGE_MASK), bits, 0);
            return;
        }
    }
    view_map_large(v, big, frame, bits);
}

/* A slow path just ran an access to linear's page through the TLB entry
 * e of TLB mmu: let the view map the page as far as e allows (RAM, ROM;
 * with `unassigned`, a page where nothing is, which reads as all-ones). */
void view_map(CPU *cpu, int mmu, uint32_t linear, const TLBEntry *e, int unassigned, int large)
{
    View *v = cpu->view[mmu];
    uint32_t page = linear & PAGE_MASK;
    uint32_t bits = e->global & TLB_GLOBAL ? VP_GLOBAL : 0;
    if (!v)
        return;
    if (unassigned) {
        if (e->tag_read == (page | TLB_MMIO))
            view_map_page(v, page, ram_bytes, bits);
        return;
    }
    uint8_t *host = (uint8_t *)(e->addend + page);
    if (e->tag_read != page || host < mem_base || host >= mem_base + mem_bytes ||
        (host - mem_base) % PAGE_SIZE)
        return;
    if (e->tag_write == page)
        bits |= VP_WRITE;
    uint32_t off = (uint32_t)(host - mem_base);
    uint32_t frame = off - (linear & (LARGE_SIZE - 1) & PAGE_MASK);
    if (large && frame >= LARGE_SIZE && frame + LARGE_SIZE <= ram_bytes &&
        !(frame & (LARGE_SIZE - 1))) {
        view_map_in_large(v, linear, frame, bits);
        return;
    }
    view_map_page(v, page, off, bits);
}

/* tlb_flush: every page goes. */
void view_flush(CPU *cpu)
{
    if (!mem_views)
        return;
    for (int m = 0; m < NB_MMU; m++)
        if (cpu->view[m])
            view_reset(cpu->view[m]);
}

/* MOV CR3: the pages without TLB_GLOBAL go.  If that is all of a view's
 * (the user view, under Linux), one call clears the whole window. */
void view_flush_nonglobal(CPU *cpu)
{
    if (!mem_views)
        return;
    for (int m = 0; m < NB_MMU; m++) {
        View *v = cpu->view[m];
        if (!v)
            continue;
        uint32_t global = 0;
        for (uint32_t i = 0; i < v->n; i++)
            if (v->page[i] != VP_DEAD && (v->page[i] & VP_GLOBAL))
                global++;
        if (!global) {
            view_reset(v);
            continue;
        }
        uint32_t k = 0, losses = v->losses; /* keep the global ones, packed */
        for (uint32_t i = 0; i < v->n; i++) {
            if (v->page[i] == VP_DEAD)
                continue;
            if (!(v->page[i] & VP_GLOBAL)) {
                view_unmap_index(v, i);
                continue;
            }
            v->page[k] = v->page[i];
            v->phys[k] = v->phys[i];
            view_set_slot(v, v->page[k], k + 1);
            k++;
        }
        if (v->losses == losses) {          /* (else view_lost emptied it) */
            __atomic_sub_fetch(&view_charged, v->n - k, __ATOMIC_RELAXED);
            v->n = k;
        }
    }
}

/* INVLPG: the page of `linear`, or every page in its 4 MiB (large: a
 * 4 MiB page may have been cached). */
void view_flush_page(CPU *cpu, uint32_t linear, int large)
{
    if (!mem_views)
        return;
    for (int m = 0; m < NB_MMU; m++) {
        View *v = cpu->view[m];
        if (!v)
            continue;
        if (v->lslot[linear >> 22])
            view_unmap_index(v, v->lslot[linear >> 22] - 1u);
        if (!large) {
            uint32_t i = v->slot[linear >> PAGE_BITS];
            if (i)
                view_unmap_index(v, i - 1);
            continue;
        }
        for (uint32_t i = 0; i < v->n; i++)
            if (v->page[i] != VP_DEAD && ((v->page[i] ^ linear) & 0xffc00000u) == 0)
                view_unmap_index(v, i);
    }
}

/* RAM page `phys` holds translated code now: no view may write it (a
 * write must reach the self-modifying-code check).  Every vCPU is
 * stopped, or there is only one. */
void view_watch_phys(uint32_t phys)
{
    if (!mem_views || phys >= ram_bytes || !ram_wmapped[phys >> PAGE_BITS])
        return;
    ram_wmapped[phys >> PAGE_BITS] = 0;
    for (int c = 0; c < machine.ncpus; c++)
        for (int m = 0; m < NB_MMU; m++) {
            View *v = machine.cpus[c]->view[m];
            if (!v)
                continue;
            for (uint32_t i = 0; i < v->n; i++) {
                uint32_t pg = v->page[i];
                if (pg == VP_DEAD || !(pg & VP_WRITE))
                    continue;
                if (pg & VP_LARGE) {        /* just this 4 KiB of it */
                    if (phys - v->phys[i] < LARGE_SIZE &&
                        !view_protect_in_large(v, v->base + (pg & PAGE_MASK) + (phys - v->phys[i])))
                        break;
                } else if (v->phys[i] == phys) {
                    v->page[i] &= ~VP_WRITE;
                    view_protect_ro(v, v->base + (pg & PAGE_MASK), PAGE_SIZE);
                }
            }
        }
}

/* ---- The host's GS base --------------------------------------------------------
 * x86-64 Linux programs leave GS alone (TLS is FS), so vm keeps the view
 * of the running vCPU there: an operand costs one prefix byte, no
 * register.  It must always be the view of the CPL that translated code
 * runs at, or ring-3 code could reach what only the supervisor may:
 * cpu_update_hflags, through which every CPL change goes, calls
 * view_enter on the vCPU's own thread, and so does tb_run before any TB
 * (which also covers thread=single switching vCPUs). */
#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE 2
#endif
#define ARCH_SET_GS 0x1001
static int have_wrgsbase;           /* the kernel lets user code run WRGSBASE */
static __thread uint8_t *gs_now;

void view_enter(CPU *cpu)
{
    uint8_t *base = cpu->view_base[(cpu->hflags & HF_CPL_MASK) == 3 ? MMU_USER : MMU_SUPER];
    if (!mem_views || base == gs_now)
        return;
    gs_now = base;
    if (have_wrgsbase)
        __asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
    else if (syscall(SYS_arch_prctl, ARCH_SET_GS, base)) {
        fprintf(stderr, "vm: cannot set the host's GS base for guest memory\n");
        exit(1);
    }
}

/* ---- The host fault ------------------------------------------------------------
 * A fault in a view at a host instruction of translated code that touches
 * it resumes at that instruction's slow path, with every register as it
 * was; translate.c keeps where each one's is (tcg_fault_resume). */
static struct sigaction old_segv;

static int in_view(const CPU *cpu, uintptr_t a)
{
    for (int m = 0; m < NB_MMU; m++)
        if (cpu->view[m] &&
            a - ((uintptr_t)cpu->view_base[m] - VIEW_GUARD_LO) < VIEW_RESERVE)
            return 1;
    return 0;
}

static void view_segv(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint8_t *rip = (uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
    CPU *cpu = current_cpu;
    uint8_t *slow;
    if (cpu && in_view(cpu, (uintptr_t)si->si_addr) && (slow = tcg_fault_resume(rip))) {
        uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)slow;
        return;
    }
    /* not ours: a bug in vm.  The previous handler, or the default
     * action, takes it when the instruction faults again. */
    static const char msg[] = "vm: internal error: host fault outside guest memory\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)r;
    sigaction(sig, &old_segv, NULL);
}

/* After the console's handlers (devices_init): a fault that is not ours
 * goes on to them. */
void view_fault_init(void)
{
    if (!mem_views)
        return;
    have_wrgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = view_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
}
