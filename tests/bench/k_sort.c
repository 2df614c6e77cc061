/* k_sort.c - sorting 64 Ki pseudo-random 32-bit keys, several rounds:
 * quicksort (median of three, insertion sort below 16 elements, recursion
 * on the smaller half) and, on a copy, a heapsort; both results are
 * checked against each other and folded into the checksum.
 *
 * What it stresses: data-dependent compare-and-branch on random data
 * (the partition and sift-down loops mispredict on real hardware as well),
 * loads and stores through computed indexes, swaps, and a moderate number
 * of calls/returns from the recursion.  The 512 KiB working set spans 128
 * pages accessed almost randomly by heapsort.
 */
#include "bench.h"

const char bench_name[] = "sort";
const uint32_t bench_expect = 0xe85787f2;

#define N       (64 * 1024)
#define ROUNDS  36

static uint32_t a[N], b[N];

static void insertion_sort(uint32_t *v, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static inline void swap(uint32_t *x, uint32_t *y)
{
    uint32_t t = *x;
    *x = *y;
    *y = t;
}

static void quicksort(uint32_t *v, int n)
{
    while (n > 16) {
        int mid = n / 2;
        if (v[mid] < v[0])
            swap(&v[mid], &v[0]);
        if (v[n - 1] < v[0])
            swap(&v[n - 1], &v[0]);
        if (v[n - 1] < v[mid])
            swap(&v[n - 1], &v[mid]);
        uint32_t pivot = v[mid];
        int i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap(&v[i], &v[j]);
            i++;
            j--;
        }
        int left = j + 1;               /* v[0..j] <= pivot <= v[j+1..] */
        if (left < n - left) {
            quicksort(v, left);
            v += left;
            n -= left;
        } else {
            quicksort(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

static void sift_down(uint32_t *v, int root, int n)
{
    uint32_t x = v[root];
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (v[child] <= x)
            break;
        v[root] = v[child];
        root = child;
    }
    v[root] = x;
}

static void heapsort(uint32_t *v, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--)
        sift_down(v, i, n);
    for (int end = n - 1; end > 0; end--) {
        swap(&v[0], &v[end]);
        sift_down(v, 0, end);
    }
}

uint32_t bench_run(void)
{
    uint32_t seed = 0x2545F491u;
    uint32_t h = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* Round 0 and 2: random keys; 1 and 3: few distinct values. */
        uint32_t mask = (round & 1) ? 0xffu : 0xffffffffu;
        for (int i = 0; i < N; i++)
            a[i] = b[i] = xorshift32(&seed) & mask;
        quicksort(a, N);
        heapsort(b, N);
        for (int i = 0; i < N; i++) {
            if (a[i] != b[i] || (i && a[i - 1] > a[i]))
                return 0xbad00000u | (uint32_t)i;
            if ((i & 255) == 0)
                h = mix32(h, a[i]);
        }
    }
    return h;
}
