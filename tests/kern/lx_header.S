/* lx_header.S - the first two sectors of a minimal Linux bzImage (boot
 * protocol 2.15: Documentation/arch/x86/boot.rst), for tests/lxboot.sh:
 * the boot sector with the setup header, one setup sector, and then (cat'ed
 * on by the Makefile) the protected-mode code, which a loader puts at
 * 1 MiB and enters at code32_start.  No real-mode code: vm's -kernel uses
 * the 32-bit boot protocol. */
    .code16
    .section .text
    .org 0x1f1
    .byte 1                     /* setup_sects: one setup sector */
    .word 0                     /* root_flags */
    .long 0                     /* syssize (unused here) */
    .word 0                     /* ram_size */
    .word 0                     /* vid_mode */
    .word 0                     /* root_dev */
    .word 0xaa55                /* boot_flag */
    .byte 0xeb, hdr_end - 0x202 /* jump over the header */
    .ascii "HdrS"
    .word 0x020f                /* protocol 2.15 */
    .long 0                     /* realmode_swtch */
    .word 0                     /* start_sys_seg */
    .word 0                     /* kernel_version */
    .byte 0                     /* type_of_loader */
    .byte 0x01                  /* loadflags: LOADED_HIGH */
    .word 0                     /* setup_move_size */
    .long 0x100000              /* code32_start */
    .long 0                     /* ramdisk_image */
    .long 0                     /* ramdisk_size */
    .long 0                     /* bootsect_kludge */
    .word 0                     /* heap_end_ptr */
    .byte 0                     /* ext_loader_ver */
    .byte 0                     /* ext_loader_type */
    .long 0                     /* cmd_line_ptr */
    .long 0x7fffffff            /* initrd_addr_max */
    .long 0x200000              /* kernel_alignment */
    .byte 0                     /* relocatable_kernel */
    .byte 0                     /* min_alignment */
    .word 0                     /* xloadflags */
    .long 2047                  /* cmdline_size */
hdr_end:
    .org 1024
