/* ar_muldiv_hw: divide-overflow cases whose dividend is the most negative
 * double-width value, divided by -1.
 *
 * Why a separate _hw ROM: QEMU 7.2 computes IDIV with C division on the
 * host (INT64_MIN / -1 for IDIV r/m32, INT32_MIN / -1 for IDIV r/m16),
 * which kills QEMU itself with SIGFPE instead of raising #DE in the guest.
 * On hardware (Intel SDM, IDIV: "#DE if the quotient is too large for the
 * designated register") these are ordinary divide errors: vector 0, pushed
 * IP = the IDIV, registers and flags unchanged.  An emulator that runs the
 * host's IDIV on these operands must catch the host exception too.
 */
#include "lib.inc"
#include "ar_common.inc"

/* DE insn, a, d, b, fin: as in ar_muldiv.S. */
.macro DE insn, a, d, b, fin=0
    TDESC "#DE \insn"
    TSET \a, \b, \b, \d, \b, \fin
    FAULT 0, "\insn", "#DE \insn"
    TCHK 7, \fin, FA, TDESC_LAST, \a, \d, \b
.endm

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_muldiv_hw
    SETVEC_ALL

    DE "idivl %ebx", 0x00000000, 0x80000000, 0xffffffff, FA       // -2^63 / -1
    DE "idivl MEMV", 0x00000000, 0x80000000, 0xffffffff           // same, memory divisor
    DE "idivw %bx", 0xa5a50000, 0x5a5a8000, 0x0000ffff, CF        // -2^31 / -1
    DE "idivw MEMV", 0xa5a50000, 0x5a5a8000, 0x5a5affff           // same, memory divisor
    /* the 8-bit analogue (-32768 / -1) is in ar_muldiv; check it here too */
    DE "idivb %bl", 0xa5a58000, 0x5a5a5a5a, 0xff

    AR_FINISH ar_muldiv_hw
    AR_SUBROUTINES
