/* t_seg_code16: running a 16-bit code segment in protected mode.
 *
 * What it checks (Intel SDM Vol. 3 3.4.5 "D/B flag": D=0 code defaults to
 * 16-bit operands and addresses; Vol. 1 3.6 "Operand-size and address-size
 * attributes" and the 66/67 prefixes; Vol. 2 CALL/RET far and near):
 *   - a far CALL from 32-bit code into a D=0 segment pushes a 32-bit
 *     return address (the caller's operand size) and LRETL (66 CB) returns.
 *   - in the 16-bit segment: PUSH imm16/POP r16 move ESP by 2 (the stack
 *     is B=1, so ESP, not SP) and only change the low 16 bits of the
 *     register; a near CALL pushes a 16-bit IP; PUSHL (66) moves ESP by 4.
 *   - 16-bit addressing wraps: [BX+SI] with BX=0xFFFF, SI=2 addresses 1;
 *     the same with a 67 prefix ([EBX+ESI]) addresses 0x10001.
 *   - an exception in the 16-bit segment pushes (through a 32-bit gate)
 *     CS = the 16-bit selector and EIP = the 16-bit offset of the faulting
 *     instruction; INT n pushes the offset after it; IRET returns there.
 *   - a 66-prefixed far CALL from 16-bit code to 32-bit code pushes a
 *     32-bit EIP and the 16-bit CS.
 */
#include "seg_lib.h"

enum { I_CODE16 = GDT_FIRST_FREE, I_DATA_BIG };

struct far_ptr { uint32_t off; uint16_t sel; } __attribute__((packed));

static uint8_t big[0x10004] __attribute__((aligned(16)));
static uint32_t r[9] __attribute__((used));
static struct far_ptr fp __attribute__((used));

/* The 16-bit segment: its base is c16_base, offsets are label - c16_base. */
__asm__(
    ".text\n"
    ".balign 16\n"
    "c16_base:\n"
    ".code16\n"
    /* A: stack and operand size */
    "c16_a:\n\t"
    "movl %esp, %ecx\n\t"           /* ECX = ESP at entry */
    "pushw $0x1234\n\t"
    "movl %esp, %edx\n\t"           /* EDX = ESP after a 16-bit push */
    "popw %ax\n\t"                  /* AX = 0x1234, EAX[31:16] kept */
    "call c16_sub\n"
    "c16_sub_ret:\n\t"
    "pushl $0x89abcdef\n\t"         /* 66 68: a 32-bit push */
    "movl %esp, %edi\n\t"
    "popl %esi\n\t"
    "lretl\n"
    "c16_sub:\n\t"
    "movw (%esp), %bx\n\t"          /* the 16-bit return IP (67 prefix) */
    "movl %esp, %ebp\n\t"
    "ret\n"
    /* B: address size */
    "c16_b:\n\t"
    "movw $0xffff, %bx\n\t"
    "movw $2, %si\n\t"
    "movw %fs:(%bx,%si), %ax\n\t"   /* FS:0001 */
    "movw %fs:(%ebx,%esi), %dx\n\t" /* FS:00010001 */
    "lretl\n"
    /* C: a fault */
    "c16_c:\n\t"
    "ud2\n"
    "c16_c_fix:\n\t"
    "lretl\n"
    /* D: INT n */
    "c16_d:\n\t"
    "int $0x41\n"
    "c16_d_next:\n\t"
    "lretl\n"
    /* E: 32-bit far call out of the 16-bit segment */
    "c16_e:\n\t"
    "lcalll $0x08, $c32_target\n"
    "c16_e_next:\n\t"
    "lretl\n"
    "c16_end:\n"
    ".code32\n"
    "c32_target:\n\t"
    "movl (%esp), %eax\n\t"
    "movl 4(%esp), %edx\n\t"
    "lretl\n");
extern char c16_base[], c16_a[], c16_sub_ret[], c16_b[], c16_c[], c16_c_fix[], c16_d[],
    c16_d_next[], c16_e[], c16_e_next[], c16_end[];
#define OFF(l) ((uint32_t)((l) - c16_base))

static struct far_ptr to16(char *label)
{
    struct far_ptr p = { OFF(label), GSEL(I_CODE16) };
    return p;
}

int kmain(void)
{
    seg_init();
    seg_set_gdt(I_CODE16, seg_make_desc((uint32_t)c16_base, 0xffff, D_CODE_XR, 0));
    seg_set_gdt(I_DATA_BIG, seg_make_desc((uint32_t)big, 0xfffff, D_DATA_RW, F_G | F_DB));

    /* A: registers are stored by the caller in r[]; EBP is saved around
     * the call on the stack (the 16-bit code uses it) */
    {
        fp = to16(c16_a);
        __asm__ volatile("pushl %%ebp\n\t"
                         "movl %%esp, r + 28\n\t"
                         "lcall *fp\n\t"
                         "movl %%esp, r + 32\n\t"
                         "movl %%eax, r\n\t"
                         "movl %%ecx, r + 4\n\t"
                         "movl %%edx, r + 8\n\t"
                         "movl %%ebx, r + 12\n\t"
                         "movl %%edi, r + 16\n\t"
                         "movl %%esi, r + 20\n\t"
                         "movl %%ebp, r + 24\n\t"
                         "popl %%ebp"
                         : : "a"(0xaaaa5555), "b"(0xbbbbbbbb)
                         : "ecx", "edx", "edi", "esi", "memory");
        uint32_t esp0 = r[7];
        CHECK_EQ(r[8], esp0, "LRETL from 16-bit code pops the 32-bit far return address");
        CHECK_EQ(r[0], 0xaaaa1234, "16-bit POP AX keeps EAX[31:16]");
        CHECK_EQ(r[1] - r[2], 2, "16-bit PUSH imm moves ESP by 2");
        CHECK_EQ(r[1], esp0 - 8, "the far CALL pushed 8 bytes (32-bit CS:EIP)");
        CHECK_EQ(r[3], 0xbbbb0000 | OFF(c16_sub_ret), "near CALL in 16-bit code pushes the 16-bit IP");
        CHECK_EQ(r[6], esp0 - 10, "near CALL in 16-bit code pushes 2 bytes");
        CHECK_EQ(r[4], esp0 - 12, "PUSHL in 16-bit code moves ESP by 4");
        CHECK_EQ(r[5], 0x89abcdef, "POPL in 16-bit code");
    }

    /* B */
    {
        struct far_ptr p = to16(c16_b);
        uint32_t ax, dx;
        big[1] = 0x34; big[2] = 0x12;
        big[0x10001] = 0x78; big[0x10002] = 0x56;
        load_fs(GSEL(I_DATA_BIG));
        uint32_t bx = 0, si = 0;        /* the upper halves must be 0 */
        __asm__ volatile("lcall *%[p]" : "=a"(ax), "=d"(dx), "+b"(bx), "+S"(si)
                         : [p] "m"(p), "0"(0), "1"(0) : "memory");
        load_fs(SEL_KDATA);
        CHECK_EQ(ax, 0x1234, "16-bit address [BX+SI] wraps: 0xFFFF + 2 = 1");
        CHECK_EQ(dx, 0x5678, "67 prefix: [EBX+ESI] = 0x10001");
    }

    /* C: #UD in 16-bit code */
    {
        struct far_ptr p = to16(c16_c);
        seg_trap.count = 0;
        seg_fixup = OFF(c16_c_fix);
        __asm__ volatile("lcall *%0" : : "m"(p) : "memory");
        CHECK_EQ(seg_trap.count, 1, "#UD in 16-bit code");
        CHECK_EQ(seg_trap.vector, 6, "#UD in 16-bit code: vector");
        CHECK_EQ(seg_trap.cs, GSEL(I_CODE16), "#UD in 16-bit code: pushed CS");
        CHECK_EQ(seg_trap.eip, OFF(c16_c), "#UD in 16-bit code: pushed EIP = 16-bit offset");
    }

    /* D: INT n in 16-bit code */
    {
        struct far_ptr p = to16(c16_d);
        seg_trap.count = 0;
        seg_fixup = OFF(c16_d_next);
        __asm__ volatile("lcall *%0" : : "m"(p) : "memory");
        CHECK_EQ(seg_trap.count, 1, "INT 0x41 in 16-bit code");
        CHECK_EQ(seg_trap.vector, 0x41, "INT 0x41 in 16-bit code: vector");
        CHECK_EQ(seg_trap.cs, GSEL(I_CODE16), "INT in 16-bit code: pushed CS");
        CHECK_EQ(seg_trap.eip, OFF(c16_d_next), "INT in 16-bit code: pushed EIP = next offset");
    }

    /* E: 66 far CALL from 16-bit code into 32-bit code */
    {
        struct far_ptr p = to16(c16_e);
        uint32_t eip, cs;
        __asm__ volatile("lcall *%2" : "=a"(eip), "=d"(cs) : "m"(p) : "memory");
        CHECK_EQ(eip, OFF(c16_e_next), "66 far CALL from 16-bit code pushes a 32-bit EIP");
        CHECK_EQ(cs & 0xffff, GSEL(I_CODE16), "66 far CALL from 16-bit code pushes CS");
    }
    return kdone("t_seg_code16");
}
