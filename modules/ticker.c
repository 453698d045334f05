/*
 * modules/ticker.c: a timer callback, and in-module counting.
 *
 * A periodic timer (every `period` ms) counts ticks; the command `ticker`
 * prints the count. This module counts itself, the 2002 way
 * (MODULE_COUNTING("self")): the core takes no reference around calls;
 * the command raises the count on entry and drops it before returning.
 * Look at the two windows: before MOD_INC_USE_COUNT and after
 * MOD_DEC_USE_COUNT the module's code runs with its count at 0.
 */
#include <kernel/module.h>

MODULE_DESCRIPTION("a periodic timer and a self-counting command 'ticker'");
MODULE_AUTHOR("Quiesce");
MODULE_LICENSE("GPL");
MODULE_COUNTING("self");

static int period = 100;
MODULE_PARAM_INT(period, "timer period in ms");

static volatile unsigned fired;

static void ticker_fire(struct timer *t)
{
	fired++;
	timer_add(t, period);
}
static struct timer ticker_timer = TIMER_INIT(ticker_fire);

static int ticker_show(int argc, char **argv)
{
	/* window 1: entered, not yet counted */
	MOD_INC_USE_COUNT;
	kprintf("ticker: %u ticks of %d ms\n", fired, period);
	MOD_DEC_USE_COUNT;
	/* window 2: counted down, not yet returned */
	return 0;
}
MODULE_COMMAND(ticker_cmd, "ticker", "", "show the ticker's count",
	       ticker_show);

static int ticker_init(void)
{
	if (period < 1)
		return -EINVAL;
	return 0;
}

static int ticker_register(void)
{
	int ret = shell_register(&ticker_cmd);

	if (ret)
		return ret;
	timer_add(&ticker_timer, period);
	return 0;
}

static void ticker_unregister(void)
{
	timer_del(&ticker_timer);
	shell_unregister(&ticker_cmd);
}

MODULE_INIT(ticker_init);
MODULE_REGISTER(ticker_register);
MODULE_UNREGISTER(ticker_unregister);
