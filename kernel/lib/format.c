/*
 * kernel/lib/format.c: printf-style formatting into any sink.
 *
 * printk, the shell and the test harness all format through kformat(). It
 * needs no heap and no locks, so a panic can use it on a broken kernel.
 */
#include <kernel/lib/format.h>
#include <stdint.h>
#include <stdbool.h>

struct spec {
	bool left, zero, plus, space, alt;
	int width;      /* -1: none */
	int prec;       /* -1: none */
	int len;        /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

struct out {
	format_sink sink;
	void *arg;
	int n;
};

static void put(struct out *o, char c)
{
	o->sink(c, o->arg);
	o->n++;
}

static void pad(struct out *o, char c, int count)
{
	while (count-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || len < sp->prec) && s[len])
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

/*
 * As C's printf: a sign ('+', ' ') only for signed conversions, "%.0d" of 0
 * prints no digits, "%#o" starts with 0, "%#x" of 0 is plain "0".
 */
static void emit_num(struct out *o, const struct spec *sp, uint64_t v,
		     bool is_signed, bool neg, unsigned base, bool upper,
		     const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, zeros = 0, total;
	char sign = 0;

	while (v || (n == 0 && sp->prec != 0)) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (base == 8 && sp->alt && (n == 0 || tmp[n - 1] != '0'))
		tmp[n++] = '0';
	if (sp->prec >= 0 && n < sp->prec)
		zeros = sp->prec - n;
	if (neg)
		sign = '-';
	else if (is_signed && sp->plus)
		sign = '+';
	else if (is_signed && sp->space)
		sign = ' ';
	while (prefix && prefix[plen])
		plen++;
	total = n + zeros + plen + (sign ? 1 : 0);
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left)
		pad(o, ' ', sp->width - total);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .width = -1, .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			sp->width =
			    (sp->width < 0 ? 0 : sp->width * 10) + *f - '0';
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + *f - '0';
	}
	for (;; f++) {
		if (*f == 'l')
			sp->len++;
		else if (*f == 'h')
			sp->len--;
		else if (*f == 'z')
			sp->len = 1;
		else
			break;
	}
	return f;
}

static uint64_t get_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->len >= 2)
		return va_arg(*ap, unsigned long long);
	if (sp->len == 1)
		return va_arg(*ap, unsigned long);
	if (sp->len == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (sp->len <= -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

static int64_t get_signed(const struct spec *sp, va_list *ap)
{
	if (sp->len >= 2)
		return va_arg(*ap, long long);
	if (sp->len == 1)
		return va_arg(*ap, long);
	if (sp->len == -1)
		return (short)va_arg(*ap, int);
	if (sp->len <= -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	uint64_t v;
	char ch;

	switch (c) {
	case 'd':
	case 'i': {
		int64_t sv = get_signed(sp, ap);
		uint64_t mag = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
		emit_num(o, sp, mag, true, sv < 0, 10, false, NULL);
		break;
	}
	case 'u':
		emit_num(o, sp, get_unsigned(sp, ap), false, false, 10, false,
			 NULL);
		break;
	case 'x':
	case 'X':
		v = get_unsigned(sp, ap);
		emit_num(o, sp, v, false, false, 16, c == 'X',
			 sp->alt && v ? (c == 'X' ? "0X" : "0x") : NULL);
		break;
	case 'o':
		emit_num(o, sp, get_unsigned(sp, ap), false, false, 8, false,
			 NULL);
		break;
	case 'p':
		sp->prec = 8;
		sp->zero = false;
		emit_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, false,
			 16, false, "0x");
		break;
	case 's':
		emit_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		if (!sp->left)
			pad(o, ' ', sp->width - 1);
		put(o, ch);
		if (sp->left)
			pad(o, ' ', sp->width - 1);
		break;
	case '%':
		put(o, '%');
		break;
	default:        /* unknown conversion: print it as written */
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int kformat(format_sink sink, void *arg, const char *fmt, va_list ap)
{
	struct out o = { sink, arg, 0 };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		convert(&o, *fmt, &sp, &aq);
		if (*fmt)
			fmt++;
	}
	va_end(aq);
	return o.n;
}

struct buf {
	char *p;
	size_t size, used;
};

static void buf_sink(char c, void *arg)
{
	struct buf *b = arg;

	if (b->used + 1 < b->size)
		b->p[b->used] = c;
	b->used++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf b = { buf, size, 0 };
	int n = kformat(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
