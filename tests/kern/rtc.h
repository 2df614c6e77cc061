/* rtc.h - MC146818 RTC access for guest test kernels. */
#ifndef RTC_H
#define RTC_H

#include "klib.h"

static inline uint8_t rtc_rd(int reg) { outb(0x70, (uint8_t)reg); return inb(0x71); }
static inline void rtc_wr(int reg, uint8_t v) { outb(0x70, (uint8_t)reg); outb(0x71, v); }
static inline uint32_t rtc_bcd(uint8_t v) { return (v & 15) + (v >> 4) * 10u; }

typedef struct RtcTime { uint32_t sec, min, hour, dow, day, mon, year, century; } RtcTime;

/* Read the time the way a BIOS does: wait for UIP to be clear, then read
 * every register before the next update can start (244 us later at
 * the earliest). */
static inline void rtc_read_time(RtcTime *t)
{
    while (rtc_rd(0x0a) & 0x80)
        ;
    t->sec = rtc_rd(0); t->min = rtc_rd(2); t->hour = rtc_rd(4); t->dow = rtc_rd(6);
    t->day = rtc_rd(7); t->mon = rtc_rd(8); t->year = rtc_rd(9); t->century = rtc_rd(0x32);
}

static inline void rtc_time_from_bcd(RtcTime *t)
{
    t->sec = rtc_bcd((uint8_t)t->sec); t->min = rtc_bcd((uint8_t)t->min);
    t->hour = rtc_bcd((uint8_t)t->hour); t->dow = rtc_bcd((uint8_t)t->dow);
    t->day = rtc_bcd((uint8_t)t->day); t->mon = rtc_bcd((uint8_t)t->mon);
    t->year = rtc_bcd((uint8_t)t->year); t->century = rtc_bcd((uint8_t)t->century);
}

static inline void kput2(uint32_t v) { kputc((char)('0' + v / 10 % 10)); kputc((char)('0' + v % 10)); }

/* "YYYY-MM-DD HH:MM:SS" from binary fields. */
static inline void rtc_print(const RtcTime *t)
{
    kputdec(t->century * 100 + t->year); kputc('-'); kput2(t->mon); kputc('-'); kput2(t->day);
    kputc(' '); kput2(t->hour); kputc(':'); kput2(t->min); kputc(':'); kput2(t->sec);
}

#endif
