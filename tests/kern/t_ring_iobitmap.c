/* t_ring_iobitmap: the I/O permission bitmap in the TSS.
 *
 * What it checks (Intel SDM Vol. 1 18.5 "Protected-Mode I/O" and 18.5.2
 * "I/O Permission Bit Map"; Vol. 2 IN/OUT/INS/OUTS "#GP(0) if CPL > IOPL
 * and any of the corresponding I/O permission bits in the TSS is 1"):
 *   - at CPL 3 with IOPL 0 an access to ports p..p+size-1 is allowed only
 *     if all their bits are 0: byte/word/dword IN and OUT, immediate and
 *     DX forms, INS and OUTS; a word or dword that covers one denied port
 *     faults, also across a byte boundary of the bitmap.  The fault is
 *     #GP(0) at the instruction, with nothing transferred (OUTS/INS leave
 *     ESI/EDI unchanged).
 *   - the processor reads two bytes of the bitmap for every check: if
 *     the second byte lies beyond the TSS limit the access faults even when
 *     the port's own bit (in the last byte within the limit) is 0; with no
 *     bitmap inside the limit (I/O map base beyond it) every port faults.
 *   - CPL <= IOPL (IOPL 3 at CPL 3, or CPL 0) skips the bitmap.
 * Ports: 0x80-0x8f (POST/DMA page registers, harmless to write) and 0x100
 * for the limit checks; denied ports are never actually accessed.
 */
#include "seg_lib.h"

static volatile int r3_op;
static volatile uint32_t r3_port, r3_si, r3_di;
static uint8_t buf[16];

static void r3_io(void)
{
    uint32_t si = (uint32_t)buf, di = (uint32_t)buf + 8, c = 0;
    switch (r3_op) {
    case 0: SEG_TRY("outb %%al, %%dx", : "a"(0x11), "d"(r3_port)); break;
    case 1: SEG_TRY("outw %%ax, %%dx", : "a"(0x1122), "d"(r3_port)); break;
    case 2: SEG_TRY("outl %%eax, %%dx", : "a"(0x11223344), "d"(r3_port)); break;
    case 3: SEG_TRY("inb %%dx, %%al", "+a"(c) : "d"(r3_port)); break;
    case 4: SEG_TRY("inl %%dx, %%eax", "+a"(c) : "d"(r3_port)); break;
    case 5: SEG_TRY("outb %%al, $0x80", : "a"(0x22)); break;
    case 6: SEG_TRY("inb $0x81, %%al", "+a"(c) :); break;
    case 7: SEG_TRY("outsb", "+S"(si) : "d"(r3_port)); break;
    case 8: SEG_TRY("insb", "+D"(di) : "d"(r3_port)); break;
    case 9: SEG_TRY("outsw", "+S"(si) : "d"(r3_port)); break;
    }
    r3_si = si - (uint32_t)buf;
    r3_di = di - (uint32_t)buf;
}

static const char *const op_name[] = {
    "OUT DX, AL", "OUT DX, AX", "OUT DX, EAX", "IN AL, DX", "IN EAX, DX",
    "OUT 0x80, AL", "IN AL, 0x81", "OUTSB", "INSB", "OUTSW",
};

static void io(int op, uint32_t port, int allowed, uint32_t eflags, const char *why)
{
    r3_op = op;
    r3_port = port;
    seg_ring3_eflags = eflags;
    seg_ring3_call(r3_io);
    seg_ring3_eflags = FL_1;
    if (allowed) {
        if (seg_trap.count != 0) {
            kputs(op_name[op]);
            kputs(": ");
        }
        SEG_EXPECT_NONE(why);
    } else {
        if (seg_trap.count != 1 || seg_trap.vector != 13) {
            kputs(op_name[op]);
            kputs(": ");
        }
        seg_expect_fault_cs(__FILE__, __LINE__, why, 13, 0, SEL_UCODE);
    }
}

static void allow(uint32_t port) { seg_tss.iomap[port / 8] &= (uint8_t)~(1u << (port % 8)); }

#define IOMAP_BASE 104u     /* offsetof(struct seg_main_tss, iomap) */

int kmain(void)
{
    seg_init();
    CHECK_EQ(seg_tss.t.iomap, IOMAP_BASE, "I/O map base");

    /* no bitmap within the TSS limit (0x67): everything is denied */
    io(0, 0x80, 0, FL_1, "no bitmap in the TSS: OUT denied");
    io(5, 0x80, 0, FL_1, "no bitmap in the TSS: OUT imm8 denied");

    /* the bitmap for ports 0..0x3ff plus the all-ones byte, within the limit */
    seg_set_tss_limit(IOMAP_BASE + sizeof seg_tss.iomap - 1);
    allow(0x80); allow(0x81); allow(0x82); allow(0x83);
    allow(0x86); allow(0x87); allow(0x88); allow(0x89);     /* across bytes 0x10/0x11 */
    allow(0x8c);                                            /* 0x8b and 0x8d denied */

    io(0, 0x80, 1, FL_1, "port 0x80 allowed: OUT byte");
    io(5, 0x80, 1, FL_1, "port 0x80 allowed: OUT imm8");
    io(3, 0x80, 1, FL_1, "port 0x80 allowed: IN byte");
    io(1, 0x82, 1, FL_1, "ports 0x82-0x83 allowed: OUT word");
    io(2, 0x80, 1, FL_1, "ports 0x80-0x83 allowed: OUT dword");
    io(4, 0x80, 1, FL_1, "ports 0x80-0x83 allowed: IN dword");
    io(2, 0x86, 1, FL_1, "ports 0x86-0x89 (two bitmap bytes) allowed: OUT dword");
    io(0, 0x84, 0, FL_1, "port 0x84 denied: OUT byte");
    io(1, 0x83, 0, FL_1, "word 0x83-0x84, 0x84 denied");
    io(2, 0x81, 0, FL_1, "dword 0x81-0x84, 0x84 denied");
    io(2, 0x85, 0, FL_1, "dword 0x85-0x88 across bytes, 0x85 denied");
    io(1, 0x8b, 0, FL_1, "word 0x8b-0x8c, 0x8b denied");
    io(1, 0x8c, 0, FL_1, "word 0x8c-0x8d, 0x8d denied");
    io(0, 0x8c, 1, FL_1, "port 0x8c allowed between denied ones");
    io(6, 0x81, 1, FL_1, "port 0x81 allowed: IN imm8");
    seg_tss.iomap[0x88 / 8] |= 1;                            /* deny 0x88 */
    io(2, 0x86, 0, FL_1, "dword 0x86-0x89 with 0x88 denied (second bitmap byte)");
    io(1, 0x87, 0, FL_1, "word 0x87-0x88 across bytes, 0x88 denied");

    /* string I/O */
    io(7, 0x80, 1, FL_1, "OUTSB to an allowed port");
    CHECK_EQ(r3_si, 1, "OUTSB advanced ESI");
    io(8, 0x80, 1, FL_1, "INSB from an allowed port");
    CHECK_EQ(r3_di, 9, "INSB advanced EDI");
    io(7, 0x84, 0, FL_1, "OUTSB to a denied port: #GP(0)");
    CHECK_EQ(r3_si, 0, "faulting OUTSB: ESI unchanged");
    io(8, 0x85, 0, FL_1, "INSB from a denied port: #GP(0)");
    CHECK_EQ(r3_di, 8, "faulting INSB: EDI unchanged");
    io(9, 0x83, 0, FL_1, "OUTSW to 0x83-0x84: #GP(0)");

    /* IOPL 3 at CPL 3: no bitmap check */
    io(0, 0x84, 1, FL_1 | FL_IOPL(3), "CPL 3 IOPL 3: port 0x84 allowed regardless of the bitmap");
    io(1, 0x8b, 1, FL_1 | FL_IOPL(3), "CPL 3 IOPL 3: word 0x8b allowed");

    /* CPL 0: no bitmap check */
    SEG_TRY("outb %%al, %%dx", : "a"(0), "d"(0x84));
    SEG_EXPECT_NONE("CPL 0: port 0x84 allowed regardless of the bitmap");

    /* the two-byte read at the end of the limit: port 0x100 is byte 0x20 */
    allow(0x100);
    seg_set_tss_limit(IOMAP_BASE + 0x21);
    io(0, 0x100, 1, FL_1, "port 0x100: bitmap bytes 0x20 and 0x21 within the limit");
    seg_set_tss_limit(IOMAP_BASE + 0x20);
    io(0, 0x100, 0, FL_1, "port 0x100: bit clear but bitmap byte 0x21 beyond the limit: #GP(0)");
    io(0, 0x80, 1, FL_1, "port 0x80: bytes 0x10-0x11 still within the limit");
    io(0, 0x3f8, 0, FL_1, "port 0x3f8: bitmap byte beyond the limit: #GP(0)");

    seg_set_tss_limit(TSS32_SIZE - 1);
    return kdone("t_ring_iobitmap");
}
