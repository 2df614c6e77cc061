/* oracle_pm.h - what the two halves of the protected-mode oracle agree on:
 * the generator (tests/oracle_pm.c, a 64-bit host program) and the 32-bit
 * runner (tests/oracle_pm32.c and .S, built as a Linux i386 program and as
 * a multiboot kernel).  Only #defines, so that assembler files can use it.
 *
 * The scratch buffer sits at the same address in both worlds (the native
 * program maps it there, the kernel runs with paging off), so pointers into
 * it compare equal too.  Its layout, as offsets from PM_SCRATCH:
 *
 *   0x000 .. PM_DATA      memory operands and string operations (a page
 *                         boundary at PM_PAGE_SPLIT: operands across it
 *                         take vm's slow path)
 *   PM_DATA .. PM_SIZE    the sequence's stack: ESP starts at PM_STACK
 *
 * The whole buffer starts filled with pseudo-random bytes derived from the
 * sequence's seed (pm_fill() in oracle_pm32.c) and is compared at the end.
 */
#ifndef ORACLE_PM_H
#define ORACLE_PM_H

#define PM_SCRATCH   0x00bfff00      /* just below 12 MiB: above any test kernel */
#define PM_PAGE_SPLIT 0x100          /* the offset where its second page starts */
#define PM_CODE      0x00e00000      /* the sequences' code (section .oseq), in both
                                      * worlds at the same address: FIP compares */
#define PM_SIZE      0x400
#define PM_DATA      0x200
#define PM_STACK     0x300           /* initial ESP offset */
#define PM_MAX_DEPTH 0xc0            /* deepest the generator lets it go */

#define PM_ARITH     0x08d5          /* OF SF ZF AF PF CF */
#define PM_DF        0x0400
#define PM_FLAGS_ON  0x0202          /* bit 1 and IF: always set */

/* Sequence descriptor (17 longs, written by the generator):
 *   code, end, text, number, eax ecx edx ebx esp ebp esi edi, eflags,
 *   seed (of the scratch contents), flag mask (flags to compare),
 *   x87 (the initial x87 state, an FNSAVE image; 0: the sequence has none)
 * Result record (written by the native run, read by the kernel):
 *   number, eax ecx edx ebx esp ebp esi edi, eflags, ndiff,
 *   then ndiff longs (offset << 8 | byte): the scratch bytes that differ
 *   from their initial value,
 *   then, for a sequence with x87, its final x87 state (FNSAVE, 27 longs)
 *   with FCS and FDS cleared (the selectors differ between the worlds). */
#define PM_DESC_LONGS 17
#define PM_X87_SAVE  108             /* an FNSAVE image, 32-bit protected-mode format */

#endif
