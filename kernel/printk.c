/*
 * kernel/printk.c: the kernel log (dmesg ring) and console printing.
 *
 * Each printk() formats into a line buffer on the stack, stamps it with the
 * tick time, appends it to a 16 KiB ring (oldest bytes are overwritten) and,
 * if its level is urgent enough, writes it to the console. The log append
 * runs with interrupts off; the console write is one console_write() call,
 * which keeps the line whole (and may wait, interrupts on, for the serial
 * transmit ring to have room). kprintf formats into a line buffer the same
 * way, a console_write() per KPRINTF_CHUNK bytes.
 */
#include <kernel/printk.h>
#include <kernel/console.h>
#include <kernel/lib/format.h>
#include <kernel/arch.h>

#define LOG_SIZE 16384          /* power of two */
#define LINE_MAX 256

int console_loglevel = LOG_INFO;

static char log_ring[LOG_SIZE];
static uint32_t log_head;       /* [irq] bytes ever written */

static void log_append(const char *s, size_t n)
{
	while (n--)
		log_ring[log_head++ % LOG_SIZE] = *s++;
}

#define KPRINTF_CHUNK 256

struct chunk {
	char buf[KPRINTF_CHUNK];
	size_t n;
};

static void chunk_sink(char c, void *arg)
{
	struct chunk *ch = arg;

	ch->buf[ch->n++] = c;
	if (ch->n == sizeof(ch->buf)) {
		console_write(ch->buf, ch->n);
		ch->n = 0;
	}
}

void kprintf(const char *fmt, ...)
{
	struct chunk ch = { .n = 0 };
	va_list ap;

	va_start(ap, fmt);
	kformat(chunk_sink, &ch, fmt, ap);
	va_end(ap);
	if (ch.n)
		console_write(ch.buf, ch.n);
}

/* The timer's tick count, once it runs (drivers/pit.c); 0 before. */
static uint64_t (*clock_ticks)(void);
static unsigned clock_hz = 1;

void printk_set_clock(uint64_t (*ticks_fn)(void), unsigned hz)
{
	clock_hz = hz ? hz : 1;
	clock_ticks = ticks_fn;
}

static uint64_t now_ticks(void)
{
	return clock_ticks ? clock_ticks() : 0;
}

uint64_t printk_clock_ms(void)
{
	return now_ticks() * 1000 / clock_hz;
}

void printk(int level, const char *fmt, ...)
{
	char line[LINE_MAX];
	uint64_t t;
	va_list ap;
	int n;
	uint32_t f = irq_save();

	t = now_ticks();
	n = ksnprintf(line, sizeof(line), "[%5u.%03u] ",
		      (unsigned)(t / clock_hz),
		      (unsigned)(t % clock_hz * 1000 / clock_hz));
	va_start(ap, fmt);
	n += kvsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > LINE_MAX - 2)
		n = LINE_MAX - 2;
	if (line[n - 1] != '\n') {
		line[n++] = '\n';
		line[n] = '\0';
	}
	log_append(line, n);
	irq_restore(f);
	if (level <= console_loglevel)
		console_write(line, n);
}

static narrate_listener narrate_fn;     /* [a] one writer: the shell */

void narrate_listen(narrate_listener fn)
{
	narrate_fn = fn;
}

void narrate(bool on, const char *who, const char *fmt, ...)
{
	narrate_listener fn = narrate_fn;
	char line[LINE_MAX];
	va_list ap;

	if (!on)
		return;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	kprintf("  tick %-6lu %-8s %s\n", (unsigned long)now_ticks(), who,
		line);
	if (fn)
		fn(who, line);
}

size_t dmesg_tail(char *buf, size_t len)
{
	uint32_t f = irq_save();
	uint32_t avail = log_head < LOG_SIZE ? log_head : LOG_SIZE;
	uint32_t start;

	if (len > avail)
		len = avail;
	start = log_head - len;
	for (size_t i = 0; i < len; i++)
		buf[i] = log_ring[(start + i) % LOG_SIZE];
	irq_restore(f);
	return len;
}

void dmesg_dump(void)
{
	uint32_t start, end, avail;

	/* Snapshot the bounds; printing may add lines, which we skip. */
	uint32_t f = irq_save();
	end = log_head;
	irq_restore(f);
	avail = end < LOG_SIZE ? end : LOG_SIZE;
	start = end - avail;
	if (avail == LOG_SIZE)          /* skip the torn first line */
		while (start < end && log_ring[start++ % LOG_SIZE] != '\n')
			;
	for (; start < end; start++) {
		if (log_head - start > LOG_SIZE) /* overwritten meanwhile */
			break;
		console_putc(log_ring[start % LOG_SIZE]);
	}
}
