/* ar_bcd: DAA DAS AAA AAS AAM AAD.
 *
 * What it checks: each instruction across the interesting AL values (low
 * nibble 9/A/F, high values 0x99/0x9A/0xA0/0xFA, 0xFF...) with every AF/CF
 * input combination; AH inputs including 0xFF (carry/borrow into AH wraps);
 * typical ADD+DAA, SUB+DAS, ADD+AAA, SUB+AAS, MUL+AAM, AAD+DIV sequences;
 * AAM and AAD with the default base 10 (D4 0A / D5 0A) and other bases
 * (16, 7, 1, 0, 0xFF); AAM 0 raises #DE (vector 0) with the pushed IP at
 * the AAM and AX and the flags unchanged; upper EAX bits preserved.
 *
 * Flags checked are the ones the Intel SDM defines: DAA/DAS: CF AF SF ZF PF
 * (OF undefined); AAA/AAS: AF CF (OF SF ZF PF undefined); AAM/AAD: SF ZF PF
 * (OF AF CF undefined).
 * Expected values: produced by running the instructions on the host CPU in
 * 32-bit protected mode, and cross-checked exhaustively (all AL, AH in
 * {0, 0x12, 0xFF}, all AF/CF inputs) against the SDM pseudo-code for each
 * instruction: no difference in any defined flag or in AX.
 */
#include "lib.inc"
#include "ar_common.inc"

    RESET_VECTOR start
    .text
start:
    AR_INIT ar_bcd
    SETVEC_ALL

/* ---------------- DAA: CF AF SF ZF PF defined, OF undefined ---------------- */
    ALU "daa", 0xa5a51200, 0, 0, 0xa5a51200, ZF|PF, FA&~OF
    ALU "daa", 0xa5a51200, 0, CF, 0xa5a51260, PF|CF, FA&~OF
    ALU "daa", 0xa5a51200, 0, AF, 0xa5a51206, AF|PF, FA&~OF
    ALU "daa", 0xa5a51200, 0, CF|AF, 0xa5a51266, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a51209, 0, 0, 0xa5a51209, PF, FA&~OF
    ALU "daa", 0xa5a51209, 0, CF, 0xa5a51269, PF|CF, FA&~OF
    ALU "daa", 0xa5a51209, 0, AF, 0xa5a5120f, AF|PF, FA&~OF
    ALU "daa", 0xa5a51209, 0, CF|AF, 0xa5a5126f, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5120a, 0, 0, 0xa5a51210, AF, FA&~OF
    ALU "daa", 0xa5a5120a, 0, CF, 0xa5a51270, AF|CF, FA&~OF
    ALU "daa", 0xa5a5120a, 0, AF, 0xa5a51210, AF, FA&~OF
    ALU "daa", 0xa5a5120a, 0, CF|AF, 0xa5a51270, AF|CF, FA&~OF
    ALU "daa", 0xa5a5120f, 0, 0, 0xa5a51215, AF, FA&~OF
    ALU "daa", 0xa5a5120f, 0, CF, 0xa5a51275, AF|CF, FA&~OF
    ALU "daa", 0xa5a5120f, 0, AF, 0xa5a51215, AF, FA&~OF
    ALU "daa", 0xa5a5120f, 0, CF|AF, 0xa5a51275, AF|CF, FA&~OF
    ALU "daa", 0xa5a51210, 0, 0, 0xa5a51210, 0, FA&~OF
    ALU "daa", 0xa5a51210, 0, CF, 0xa5a51270, CF, FA&~OF
    ALU "daa", 0xa5a51210, 0, AF, 0xa5a51216, AF, FA&~OF
    ALU "daa", 0xa5a51210, 0, CF|AF, 0xa5a51276, AF|CF, FA&~OF
    ALU "daa", 0xa5a51219, 0, 0, 0xa5a51219, 0, FA&~OF
    ALU "daa", 0xa5a51219, 0, CF, 0xa5a51279, CF, FA&~OF
    ALU "daa", 0xa5a51219, 0, AF, 0xa5a5121f, AF, FA&~OF
    ALU "daa", 0xa5a51219, 0, CF|AF, 0xa5a5127f, AF|CF, FA&~OF
    ALU "daa", 0xa5a5121a, 0, 0, 0xa5a51220, AF, FA&~OF
    ALU "daa", 0xa5a5121a, 0, CF, 0xa5a51280, SF|AF|CF, FA&~OF
    ALU "daa", 0xa5a5121a, 0, AF, 0xa5a51220, AF, FA&~OF
    ALU "daa", 0xa5a5121a, 0, CF|AF, 0xa5a51280, SF|AF|CF, FA&~OF
    ALU "daa", 0xa5a5125f, 0, 0, 0xa5a51265, AF|PF, FA&~OF
    ALU "daa", 0xa5a5125f, 0, CF, 0xa5a512c5, SF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5125f, 0, AF, 0xa5a51265, AF|PF, FA&~OF
    ALU "daa", 0xa5a5125f, 0, CF|AF, 0xa5a512c5, SF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a51299, 0, 0, 0xa5a51299, SF|PF, FA&~OF
    ALU "daa", 0xa5a51299, 0, CF, 0xa5a512f9, SF|PF|CF, FA&~OF
    ALU "daa", 0xa5a51299, 0, AF, 0xa5a5129f, SF|AF|PF, FA&~OF
    ALU "daa", 0xa5a51299, 0, CF|AF, 0xa5a512ff, SF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129a, 0, 0, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129a, 0, CF, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129a, 0, AF, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129a, 0, CF|AF, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129f, 0, 0, 0xa5a51205, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129f, 0, CF, 0xa5a51205, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129f, 0, AF, 0xa5a51205, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a5129f, 0, CF|AF, 0xa5a51205, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512a0, 0, 0, 0xa5a51200, ZF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512a0, 0, CF, 0xa5a51200, ZF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512a0, 0, AF, 0xa5a51206, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512a0, 0, CF|AF, 0xa5a51206, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512f9, 0, 0, 0xa5a51259, PF|CF, FA&~OF
    ALU "daa", 0xa5a512f9, 0, CF, 0xa5a51259, PF|CF, FA&~OF
    ALU "daa", 0xa5a512f9, 0, AF, 0xa5a5125f, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512f9, 0, CF|AF, 0xa5a5125f, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512fa, 0, 0, 0xa5a51260, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512fa, 0, CF, 0xa5a51260, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512fa, 0, AF, 0xa5a51260, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512fa, 0, CF|AF, 0xa5a51260, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512ff, 0, 0, 0xa5a51265, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512ff, 0, CF, 0xa5a51265, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512ff, 0, AF, 0xa5a51265, AF|PF|CF, FA&~OF
    ALU "daa", 0xa5a512ff, 0, CF|AF, 0xa5a51265, AF|PF|CF, FA&~OF
    /* in use: packed BCD addition */
    ALU "addb %bl,%al; daa", 0xa5a51219, 0x28, 0, 0xa5a51247, AF|PF, FA&~OF
    ALU "addb %bl,%al; daa", 0xa5a51299, 0x01, 0, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "addb %bl,%al; daa", 0xa5a51245, 0x55, 0, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "addb %bl,%al; daa", 0xa5a51238, 0x49, CF, 0xa5a51287, SF|AF|PF, FA&~OF
    ALU "addb %bl,%al; daa", 0xa5a51299, 0x99, 0, 0xa5a51298, SF|AF|CF, FA&~OF

/* ---------------- DAS: CF AF SF ZF PF defined, OF undefined ---------------- */
    ALU "das", 0xa5a51200, 0, 0, 0xa5a51200, ZF|PF, FA&~OF
    ALU "das", 0xa5a51200, 0, CF, 0xa5a512a0, SF|PF|CF, FA&~OF
    ALU "das", 0xa5a51200, 0, AF, 0xa5a512fa, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51200, 0, CF|AF, 0xa5a5129a, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51206, 0, 0, 0xa5a51206, PF, FA&~OF
    ALU "das", 0xa5a51206, 0, CF, 0xa5a512a6, SF|PF|CF, FA&~OF
    ALU "das", 0xa5a51206, 0, AF, 0xa5a51200, ZF|AF|PF, FA&~OF
    ALU "das", 0xa5a51206, 0, CF|AF, 0xa5a512a0, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51209, 0, 0, 0xa5a51209, PF, FA&~OF
    ALU "das", 0xa5a51209, 0, CF, 0xa5a512a9, SF|PF|CF, FA&~OF
    ALU "das", 0xa5a51209, 0, AF, 0xa5a51203, AF|PF, FA&~OF
    ALU "das", 0xa5a51209, 0, CF|AF, 0xa5a512a3, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5120a, 0, 0, 0xa5a51204, AF, FA&~OF
    ALU "das", 0xa5a5120a, 0, CF, 0xa5a512a4, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a5120a, 0, AF, 0xa5a51204, AF, FA&~OF
    ALU "das", 0xa5a5120a, 0, CF|AF, 0xa5a512a4, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a5120f, 0, 0, 0xa5a51209, AF|PF, FA&~OF
    ALU "das", 0xa5a5120f, 0, CF, 0xa5a512a9, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5120f, 0, AF, 0xa5a51209, AF|PF, FA&~OF
    ALU "das", 0xa5a5120f, 0, CF|AF, 0xa5a512a9, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51210, 0, 0, 0xa5a51210, 0, FA&~OF
    ALU "das", 0xa5a51210, 0, CF, 0xa5a512b0, SF|CF, FA&~OF
    ALU "das", 0xa5a51210, 0, AF, 0xa5a5120a, AF|PF, FA&~OF
    ALU "das", 0xa5a51210, 0, CF|AF, 0xa5a512aa, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5121a, 0, 0, 0xa5a51214, AF|PF, FA&~OF
    ALU "das", 0xa5a5121a, 0, CF, 0xa5a512b4, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5121a, 0, AF, 0xa5a51214, AF|PF, FA&~OF
    ALU "das", 0xa5a5121a, 0, CF|AF, 0xa5a512b4, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51260, 0, 0, 0xa5a51260, PF, FA&~OF
    ALU "das", 0xa5a51260, 0, CF, 0xa5a51200, ZF|PF|CF, FA&~OF
    ALU "das", 0xa5a51260, 0, AF, 0xa5a5125a, AF|PF, FA&~OF
    ALU "das", 0xa5a51260, 0, CF|AF, 0xa5a512fa, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51266, 0, 0, 0xa5a51266, PF, FA&~OF
    ALU "das", 0xa5a51266, 0, CF, 0xa5a51206, PF|CF, FA&~OF
    ALU "das", 0xa5a51266, 0, AF, 0xa5a51260, AF|PF, FA&~OF
    ALU "das", 0xa5a51266, 0, CF|AF, 0xa5a51200, ZF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a51299, 0, 0, 0xa5a51299, SF|PF, FA&~OF
    ALU "das", 0xa5a51299, 0, CF, 0xa5a51239, PF|CF, FA&~OF
    ALU "das", 0xa5a51299, 0, AF, 0xa5a51293, SF|AF|PF, FA&~OF
    ALU "das", 0xa5a51299, 0, CF|AF, 0xa5a51233, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5129a, 0, 0, 0xa5a51234, AF|CF, FA&~OF
    ALU "das", 0xa5a5129a, 0, CF, 0xa5a51234, AF|CF, FA&~OF
    ALU "das", 0xa5a5129a, 0, AF, 0xa5a51234, AF|CF, FA&~OF
    ALU "das", 0xa5a5129a, 0, CF|AF, 0xa5a51234, AF|CF, FA&~OF
    ALU "das", 0xa5a5129f, 0, 0, 0xa5a51239, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5129f, 0, CF, 0xa5a51239, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5129f, 0, AF, 0xa5a51239, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a5129f, 0, CF|AF, 0xa5a51239, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512a0, 0, 0, 0xa5a51240, CF, FA&~OF
    ALU "das", 0xa5a512a0, 0, CF, 0xa5a51240, CF, FA&~OF
    ALU "das", 0xa5a512a0, 0, AF, 0xa5a5123a, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512a0, 0, CF|AF, 0xa5a5123a, AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512fa, 0, 0, 0xa5a51294, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a512fa, 0, CF, 0xa5a51294, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a512fa, 0, AF, 0xa5a51294, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a512fa, 0, CF|AF, 0xa5a51294, SF|AF|CF, FA&~OF
    ALU "das", 0xa5a512ff, 0, 0, 0xa5a51299, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512ff, 0, CF, 0xa5a51299, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512ff, 0, AF, 0xa5a51299, SF|AF|PF|CF, FA&~OF
    ALU "das", 0xa5a512ff, 0, CF|AF, 0xa5a51299, SF|AF|PF|CF, FA&~OF
    /* in use: packed BCD subtraction */
    ALU "subb %bl,%al; das", 0xa5a51247, 0x28, 0, 0xa5a51219, AF, FA&~OF
    ALU "subb %bl,%al; das", 0xa5a51200, 0x01, 0, 0xa5a51299, SF|AF|PF|CF, FA&~OF
    ALU "subb %bl,%al; das", 0xa5a51250, 0x50, 0, 0xa5a51200, ZF|PF, FA&~OF
    ALU "subb %bl,%al; das", 0xa5a51210, 0x01, CF, 0xa5a51209, AF|PF, FA&~OF
    ALU "subb %bl,%al; das", 0xa5a51212, 0x89, 0, 0xa5a51223, AF|CF, FA&~OF

/* ---------------- AAA: AF CF defined; OF SF ZF PF undefined ----------------
 * The current SDM adds 0x106 to AX (a carry out of AL+6 reaches AH: AL >=
 * 0xFA with an adjustment increments AH twice); the 80386 manual's
 * pseudo-code adds 6 to AL only, as the 8086 does.  The expected values
 * follow the current SDM, which the host CPU and QEMU agree with. */
    ALU "aaa", 0xa5a50000, 0, 0, 0xa5a50000, 0, AF|CF
    ALU "aaa", 0xa5a5ff00, 0, CF, 0xa5a5ff00, 0, AF|CF
    ALU "aaa", 0xa5a51200, 0, AF, 0xa5a51306, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f00, 0, CF|AF, 0xa5a58006, AF|CF, AF|CF
    ALU "aaa", 0xa5a50005, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aaa", 0xa5a5ff05, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aaa", 0xa5a51205, 0, AF, 0xa5a5130b, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f05, 0, CF|AF, 0xa5a5800b, AF|CF, AF|CF
    ALU "aaa", 0xa5a50009, 0, 0, 0xa5a50009, 0, AF|CF
    ALU "aaa", 0xa5a5ff09, 0, CF, 0xa5a5ff09, 0, AF|CF
    ALU "aaa", 0xa5a51209, 0, AF, 0xa5a5130f, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f09, 0, CF|AF, 0xa5a5800f, AF|CF, AF|CF
    ALU "aaa", 0xa5a5000a, 0, 0, 0xa5a50100, AF|CF, AF|CF
    ALU "aaa", 0xa5a5ff0a, 0, CF, 0xa5a50000, AF|CF, AF|CF
    ALU "aaa", 0xa5a5120a, 0, AF, 0xa5a51300, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f0a, 0, CF|AF, 0xa5a58000, AF|CF, AF|CF
    ALU "aaa", 0xa5a5000f, 0, 0, 0xa5a50105, AF|CF, AF|CF
    ALU "aaa", 0xa5a5ff0f, 0, CF, 0xa5a50005, AF|CF, AF|CF
    ALU "aaa", 0xa5a5120f, 0, AF, 0xa5a51305, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f0f, 0, CF|AF, 0xa5a58005, AF|CF, AF|CF
    ALU "aaa", 0xa5a50035, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aaa", 0xa5a5ff35, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aaa", 0xa5a51235, 0, AF, 0xa5a5130b, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f35, 0, CF|AF, 0xa5a5800b, AF|CF, AF|CF
    ALU "aaa", 0xa5a5003a, 0, 0, 0xa5a50100, AF|CF, AF|CF
    ALU "aaa", 0xa5a5ff3a, 0, CF, 0xa5a50000, AF|CF, AF|CF
    ALU "aaa", 0xa5a5123a, 0, AF, 0xa5a51300, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f3a, 0, CF|AF, 0xa5a58000, AF|CF, AF|CF
    ALU "aaa", 0xa5a5006f, 0, 0, 0xa5a50105, AF|CF, AF|CF
    ALU "aaa", 0xa5a5ff6f, 0, CF, 0xa5a50005, AF|CF, AF|CF
    ALU "aaa", 0xa5a5126f, 0, AF, 0xa5a51305, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f6f, 0, CF|AF, 0xa5a58005, AF|CF, AF|CF
    ALU "aaa", 0xa5a50099, 0, 0, 0xa5a50009, 0, AF|CF
    ALU "aaa", 0xa5a5ff99, 0, CF, 0xa5a5ff09, 0, AF|CF
    ALU "aaa", 0xa5a51299, 0, AF, 0xa5a5130f, AF|CF, AF|CF
    ALU "aaa", 0xa5a57f99, 0, CF|AF, 0xa5a5800f, AF|CF, AF|CF
    ALU "aaa", 0xa5a500f5, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aaa", 0xa5a5fff5, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aaa", 0xa5a512f5, 0, AF, 0xa5a5130b, AF|CF, AF|CF
    ALU "aaa", 0xa5a57ff5, 0, CF|AF, 0xa5a5800b, AF|CF, AF|CF
    ALU "aaa", 0xa5a500f9, 0, 0, 0xa5a50009, 0, AF|CF
    ALU "aaa", 0xa5a5fff9, 0, CF, 0xa5a5ff09, 0, AF|CF
    ALU "aaa", 0xa5a512f9, 0, AF, 0xa5a5130f, AF|CF, AF|CF
    ALU "aaa", 0xa5a57ff9, 0, CF|AF, 0xa5a5800f, AF|CF, AF|CF
    ALU "aaa", 0xa5a500fa, 0, 0, 0xa5a50200, AF|CF, AF|CF
    ALU "aaa", 0xa5a5fffa, 0, CF, 0xa5a50100, AF|CF, AF|CF
    ALU "aaa", 0xa5a512fa, 0, AF, 0xa5a51400, AF|CF, AF|CF
    ALU "aaa", 0xa5a57ffa, 0, CF|AF, 0xa5a58100, AF|CF, AF|CF
    ALU "aaa", 0xa5a500ff, 0, 0, 0xa5a50205, AF|CF, AF|CF
    ALU "aaa", 0xa5a5ffff, 0, CF, 0xa5a50105, AF|CF, AF|CF
    ALU "aaa", 0xa5a512ff, 0, AF, 0xa5a51405, AF|CF, AF|CF
    ALU "aaa", 0xa5a57fff, 0, CF|AF, 0xa5a58105, AF|CF, AF|CF
    ALU "addb %bl,%al; aaa", 0xa5a50038, 0x32, 0, 0xa5a50100, AF|CF, AF|CF
    ALU "addb %bl,%al; aaa", 0xa5a50039, 0x39, 0, 0xa5a50108, AF|CF, AF|CF
    ALU "addb %bl,%al; aaa", 0xa5a50005, 0x04, 0, 0xa5a50009, 0, AF|CF
    ALU "addb %bl,%al; aaa", 0xa5a50009, 0x09, 0, 0xa5a50108, AF|CF, AF|CF

/* ---------------- AAS: AF CF defined; OF SF ZF PF undefined ----------------
 * Current SDM: AX -= 6 and AH -= 1 (a borrow out of AL-6 reaches AH: AL < 6
 * with an adjustment decrements AH twice); the 80386 manual's pseudo-code
 * subtracts 6 from AL only.  Expected values follow the current SDM. */
    ALU "aas", 0xa5a50000, 0, 0, 0xa5a50000, 0, AF|CF
    ALU "aas", 0xa5a5ff00, 0, CF, 0xa5a5ff00, 0, AF|CF
    ALU "aas", 0xa5a51200, 0, AF, 0xa5a5100a, AF|CF, AF|CF
    ALU "aas", 0xa5a58000, 0, CF|AF, 0xa5a57e0a, AF|CF, AF|CF
    ALU "aas", 0xa5a50005, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aas", 0xa5a5ff05, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aas", 0xa5a51205, 0, AF, 0xa5a5100f, AF|CF, AF|CF
    ALU "aas", 0xa5a58005, 0, CF|AF, 0xa5a57e0f, AF|CF, AF|CF
    ALU "aas", 0xa5a50006, 0, 0, 0xa5a50006, 0, AF|CF
    ALU "aas", 0xa5a5ff06, 0, CF, 0xa5a5ff06, 0, AF|CF
    ALU "aas", 0xa5a51206, 0, AF, 0xa5a51100, AF|CF, AF|CF
    ALU "aas", 0xa5a58006, 0, CF|AF, 0xa5a57f00, AF|CF, AF|CF
    ALU "aas", 0xa5a50009, 0, 0, 0xa5a50009, 0, AF|CF
    ALU "aas", 0xa5a5ff09, 0, CF, 0xa5a5ff09, 0, AF|CF
    ALU "aas", 0xa5a51209, 0, AF, 0xa5a51103, AF|CF, AF|CF
    ALU "aas", 0xa5a58009, 0, CF|AF, 0xa5a57f03, AF|CF, AF|CF
    ALU "aas", 0xa5a5000a, 0, 0, 0xa5a5ff04, AF|CF, AF|CF
    ALU "aas", 0xa5a5ff0a, 0, CF, 0xa5a5fe04, AF|CF, AF|CF
    ALU "aas", 0xa5a5120a, 0, AF, 0xa5a51104, AF|CF, AF|CF
    ALU "aas", 0xa5a5800a, 0, CF|AF, 0xa5a57f04, AF|CF, AF|CF
    ALU "aas", 0xa5a5000f, 0, 0, 0xa5a5ff09, AF|CF, AF|CF
    ALU "aas", 0xa5a5ff0f, 0, CF, 0xa5a5fe09, AF|CF, AF|CF
    ALU "aas", 0xa5a5120f, 0, AF, 0xa5a51109, AF|CF, AF|CF
    ALU "aas", 0xa5a5800f, 0, CF|AF, 0xa5a57f09, AF|CF, AF|CF
    ALU "aas", 0xa5a50035, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aas", 0xa5a5ff35, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aas", 0xa5a51235, 0, AF, 0xa5a5110f, AF|CF, AF|CF
    ALU "aas", 0xa5a58035, 0, CF|AF, 0xa5a57f0f, AF|CF, AF|CF
    ALU "aas", 0xa5a5003a, 0, 0, 0xa5a5ff04, AF|CF, AF|CF
    ALU "aas", 0xa5a5ff3a, 0, CF, 0xa5a5fe04, AF|CF, AF|CF
    ALU "aas", 0xa5a5123a, 0, AF, 0xa5a51104, AF|CF, AF|CF
    ALU "aas", 0xa5a5803a, 0, CF|AF, 0xa5a57f04, AF|CF, AF|CF
    ALU "aas", 0xa5a5006f, 0, 0, 0xa5a5ff09, AF|CF, AF|CF
    ALU "aas", 0xa5a5ff6f, 0, CF, 0xa5a5fe09, AF|CF, AF|CF
    ALU "aas", 0xa5a5126f, 0, AF, 0xa5a51109, AF|CF, AF|CF
    ALU "aas", 0xa5a5806f, 0, CF|AF, 0xa5a57f09, AF|CF, AF|CF
    ALU "aas", 0xa5a500f5, 0, 0, 0xa5a50005, 0, AF|CF
    ALU "aas", 0xa5a5fff5, 0, CF, 0xa5a5ff05, 0, AF|CF
    ALU "aas", 0xa5a512f5, 0, AF, 0xa5a5110f, AF|CF, AF|CF
    ALU "aas", 0xa5a580f5, 0, CF|AF, 0xa5a57f0f, AF|CF, AF|CF
    ALU "aas", 0xa5a500fa, 0, 0, 0xa5a5ff04, AF|CF, AF|CF
    ALU "aas", 0xa5a5fffa, 0, CF, 0xa5a5fe04, AF|CF, AF|CF
    ALU "aas", 0xa5a512fa, 0, AF, 0xa5a51104, AF|CF, AF|CF
    ALU "aas", 0xa5a580fa, 0, CF|AF, 0xa5a57f04, AF|CF, AF|CF
    ALU "aas", 0xa5a500ff, 0, 0, 0xa5a5ff09, AF|CF, AF|CF
    ALU "aas", 0xa5a5ffff, 0, CF, 0xa5a5fe09, AF|CF, AF|CF
    ALU "aas", 0xa5a512ff, 0, AF, 0xa5a51109, AF|CF, AF|CF
    ALU "aas", 0xa5a580ff, 0, CF|AF, 0xa5a57f09, AF|CF, AF|CF
    ALU "subb %bl,%al; aas", 0xa5a50038, 0x39, 0, 0xa5a5ff09, AF|CF, AF|CF
    ALU "subb %bl,%al; aas", 0xa5a50032, 0x38, 0, 0xa5a5ff04, AF|CF, AF|CF
    ALU "subb %bl,%al; aas", 0xa5a50035, 0x35, 0, 0xa5a50000, 0, AF|CF

/* ---------------- AAM imm8 (D4 ib): AH = AL / imm8, AL = AL mod imm8; SF ZF PF from AL ---------------- */
    ALU "aam", 0xa5a5ee00, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aam", 0xa5a5ee09, 0, FA, 0xa5a50009, PF, ZF|SF|PF
    ALU "aam", 0xa5a5ee0a, 0, 0, 0xa5a50100, ZF|PF, ZF|SF|PF
    ALU "aam", 0xa5a5ee63, 0, FA, 0xa5a50909, PF, ZF|SF|PF
    ALU "aam", 0xa5a5ee64, 0, 0, 0xa5a50a00, ZF|PF, ZF|SF|PF
    ALU "aam", 0xa5a5ee80, 0, 0, 0xa5a50c08, 0, ZF|SF|PF
    ALU "aam", 0xa5a5eeff, 0, FA, 0xa5a51905, PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee00, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee09, 0, FA, 0xa5a50009, PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee0a, 0, 0, 0xa5a5000a, PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee63, 0, FA, 0xa5a50603, PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee64, 0, 0, 0xa5a50604, 0, ZF|SF|PF
    ALU "aam $16", 0xa5a5ee80, 0, 0, 0xa5a50800, ZF|PF, ZF|SF|PF
    ALU "aam $16", 0xa5a5eeff, 0, FA, 0xa5a50f0f, PF, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee00, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee09, 0, FA, 0xa5a50102, 0, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee0a, 0, 0, 0xa5a50103, PF, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee63, 0, FA, 0xa5a50e01, 0, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee64, 0, 0, 0xa5a50e02, 0, ZF|SF|PF
    ALU "aam $7", 0xa5a5ee80, 0, 0, 0xa5a51202, 0, ZF|SF|PF
    ALU "aam $7", 0xa5a5eeff, 0, FA, 0xa5a52403, PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee00, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee09, 0, FA, 0xa5a50900, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee0a, 0, 0, 0xa5a50a00, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee63, 0, FA, 0xa5a56300, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee64, 0, 0, 0xa5a56400, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5ee80, 0, 0, 0xa5a58000, ZF|PF, ZF|SF|PF
    ALU "aam $1", 0xa5a5eeff, 0, FA, 0xa5a5ff00, ZF|PF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee00, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee09, 0, FA, 0xa5a50009, PF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee0a, 0, 0, 0xa5a5000a, PF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee63, 0, FA, 0xa5a50063, PF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee64, 0, 0, 0xa5a50064, 0, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5ee80, 0, 0, 0xa5a50080, SF, ZF|SF|PF
    ALU "aam $0xff", 0xa5a5eeff, 0, FA, 0xa5a50100, ZF|PF, ZF|SF|PF
    ALU "movb $9,%al; mulb %bl; aam", 0xa5a50000, 0x08, 0, 0xa5a50702, 0, ZF|SF|PF

/* ---------------- AAD imm8 (D5 ib): AL = AL + AH * imm8, AH = 0; SF ZF PF from AL ---------------- */
    ALU "aad", 0xa5a50000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad", 0xa5a50909, 0, FA, 0xa5a50063, PF, ZF|SF|PF
    ALU "aad", 0xa5a50100, 0, 0, 0xa5a5000a, PF, ZF|SF|PF
    ALU "aad", 0xa5a5ffff, 0, FA, 0xa5a500f5, SF|PF, ZF|SF|PF
    ALU "aad", 0xa5a58000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad", 0xa5a51234, 0, 0, 0xa5a500e8, SF|PF, ZF|SF|PF
    ALU "aad", 0xa5a51906, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $16", 0xa5a50000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $16", 0xa5a50909, 0, FA, 0xa5a50099, SF|PF, ZF|SF|PF
    ALU "aad $16", 0xa5a50100, 0, 0, 0xa5a50010, 0, ZF|SF|PF
    ALU "aad $16", 0xa5a5ffff, 0, FA, 0xa5a500ef, SF, ZF|SF|PF
    ALU "aad $16", 0xa5a58000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $16", 0xa5a51234, 0, 0, 0xa5a50054, 0, ZF|SF|PF
    ALU "aad $16", 0xa5a51906, 0, 0, 0xa5a50096, SF|PF, ZF|SF|PF
    ALU "aad $0", 0xa5a50000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0", 0xa5a50909, 0, FA, 0xa5a50009, PF, ZF|SF|PF
    ALU "aad $0", 0xa5a50100, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0", 0xa5a5ffff, 0, FA, 0xa5a500ff, SF|PF, ZF|SF|PF
    ALU "aad $0", 0xa5a58000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0", 0xa5a51234, 0, 0, 0xa5a50034, 0, ZF|SF|PF
    ALU "aad $0", 0xa5a51906, 0, 0, 0xa5a50006, PF, ZF|SF|PF
    ALU "aad $1", 0xa5a50000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $1", 0xa5a50909, 0, FA, 0xa5a50012, PF, ZF|SF|PF
    ALU "aad $1", 0xa5a50100, 0, 0, 0xa5a50001, 0, ZF|SF|PF
    ALU "aad $1", 0xa5a5ffff, 0, FA, 0xa5a500fe, SF, ZF|SF|PF
    ALU "aad $1", 0xa5a58000, 0, 0, 0xa5a50080, SF, ZF|SF|PF
    ALU "aad $1", 0xa5a51234, 0, 0, 0xa5a50046, 0, ZF|SF|PF
    ALU "aad $1", 0xa5a51906, 0, 0, 0xa5a5001f, 0, ZF|SF|PF
    ALU "aad $0xff", 0xa5a50000, 0, 0, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a50909, 0, FA, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a50100, 0, 0, 0xa5a500ff, SF|PF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a5ffff, 0, FA, 0xa5a50000, ZF|PF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a58000, 0, 0, 0xa5a50080, SF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a51234, 0, 0, 0xa5a50022, PF, ZF|SF|PF
    ALU "aad $0xff", 0xa5a51906, 0, 0, 0xa5a500ed, SF|PF, ZF|SF|PF
    ALU "aad; divb %bl", 0xa5a50705, 0x09, 0, 0xa5a50308, 0, 0

/* ---------------- AAM 0: #DE, pushed IP = the AAM, AX and flags unchanged ---------------- */
    TDESC "#DE aam $0"
    TSET 0xa5a51234, 0, 0, 0x5a5a5a5a, 0, CF|ZF
    FAULT 0, "aam $0", "#DE aam $0"
    TCHK 3, CF|ZF, FA, TDESC_LAST, 0xa5a51234, 0x5a5a5a5a
    TDESC "#DE aam $0 (no base given: D4 00)"
    TSET 0xa5a5ff00, 0, 0, 0, 0, SF|AF
    FAULT 0, ".byte 0xd4,0x00", "#DE D4 00"
    TCHK 1, SF|AF, FA, TDESC_LAST, 0xa5a5ff00

    AR_FINISH ar_bcd
    AR_SUBROUTINES
