/*
 * drivers/acpi.c: the ACPI tables: RSDP, RSDT/XSDT, FADT, and \_S5.
 *
 * acpi_init runs in kmain before paging is on, so it may read any
 * physical address (the firmware puts the tables near the top of RAM, or
 * above the 256 MiB the kernel maps later). It:
 *   1. finds the RSDP ("RSD PTR ", 16-byte aligned, checksum) in the
 *      EBDA's first KiB, then in 0xE0000-0xFFFFF (a BIOS puts it there),
 *      then in the memory map's ACPI regions (UEFI: GRUB's Multiboot 1
 *      information has no RSDP pointer, and OVMF keeps it there);
 *   2. walks the XSDT (revision 2+, 64-bit entries; those above 4 GiB
 *      are skipped) or else the RSDT, checking each table's checksum and
 *      copying each one of at most COPY_MAX bytes into copies[];
 *   3. reads the FADT: the PM1 control blocks, SMI_CMD/ACPI_ENABLE and
 *      the reset register;
 *   4. scans the DSDT's AML for `Name(_S5, Package(){a, b, ...})` and
 *      keeps a and b, the SLP_TYP values for the S5 (soft off) state.
 * Any failure is one line in the log; acpi.* then says what is unknown.
 *
 * Interface: <drivers/acpi.h>. Users: drivers/poweroff.c; a future SMP
 * start-up will read the MADT through acpi_find_table("APIC", 0).
 */
#include <drivers/acpi.h>
#include <kernel/arch.h>
#include <kernel/lib/string.h>
#include <kernel/multiboot.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

struct acpi_facts acpi;

struct rsdp {
	char sig[8];                    /* "RSD PTR " */
	uint8_t checksum;               /* the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;                /* revision 2+: the whole RSDP */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

/* The FADT's fields we read, by byte offset (ACPI 6.x, table 5.9). */
#define FADT_DSDT           40
#define FADT_SMI_CMD        48
#define FADT_ACPI_ENABLE    52
#define FADT_PM1A_CNT       64
#define FADT_PM1B_CNT       68
#define FADT_FLAGS          112
#define FADT_RESET_REG      116     /* a Generic Address Structure */
#define FADT_RESET_VALUE    128
#define FADT_X_DSDT         140
#define FADT_RESET_REG_SUP  (1u << 10)

#define TABLE_MAX_BYTES (4u << 20)   /* larger: damaged, not read */
#define COPY_MAX        4096         /* larger tables are not copied */
#define COPIES_BYTES    16384
#define TABLES_MAX      32

struct table {
	char sig[4];
	uint32_t phys;
	uint32_t length;
	const struct acpi_header *copy; /* NULL: too large to keep */
};

static struct table tables[TABLES_MAX];
static unsigned table_count;
static uint8_t copies[COPIES_BYTES] __attribute__((aligned(8)));
static unsigned copies_used;

/*
 * A physical address as a pointer (paging is off). The empty asm hides
 * the constant from gcc, which would otherwise call a read of 0x40e an
 * out-of-bounds access.
 */
static const void *phys(uintptr_t a)
{
	__asm__("" : "+r"(a));
	return (const void *)a;
}

static uint8_t sum(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static uint32_t rd32(const void *p, unsigned off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, 4);
	return v;
}

static uint64_t rd64(const void *p, unsigned off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, 8);
	return v;
}

static const struct rsdp *rsdp_scan(uint32_t start, uint32_t end)
{
	for (uint32_t a = start & ~15u; a + 20 <= end; a += 16) {
		const struct rsdp *r = phys(a);

		if (memcmp(r->sig, "RSD PTR ", 8) || sum(r, 20))
			continue;
		return r;
	}
	return NULL;
}

#define MMAP_ACPI_RECLAIM 3
#define MMAP_ACPI_NVS     4
#define MMAP_SCAN_MAX     (16u << 20)  /* bytes of ACPI regions scanned */

static const struct rsdp *rsdp_in_mmap(const struct multiboot_info *mbi)
{
	uint32_t a = mbi->mmap_addr, end = a + mbi->mmap_length;
	uint32_t budget = MMAP_SCAN_MAX;

	if (!(mbi->flags & MB_INFO_MMAP))
		return NULL;
	while (a + sizeof(struct multiboot_mmap) <= end) {
		const struct multiboot_mmap *e = phys(a);
		const struct rsdp *r;
		uint64_t lo = e->addr, hi = e->addr + e->len;

		a += e->size + 4;
		if (e->type != MMAP_ACPI_RECLAIM && e->type != MMAP_ACPI_NVS)
			continue;
		if (hi > 0x100000000ull)
			hi = 0x100000000ull;
		if (lo >= hi || hi - lo > budget)
			continue;
		budget -= hi - lo;
		r = rsdp_scan((uint32_t)lo, (uint32_t)(hi - 1) + 1);
		if (r)
			return r;
	}
	return NULL;
}

/* The EBDA's segment is the BIOS data area's word at 0x40e. */
static const struct rsdp *rsdp_find(const struct multiboot_info *mbi)
{
	uint32_t ebda = (uint32_t)*(const volatile uint16_t *)phys(0x40e) << 4;
	const struct rsdp *r = NULL;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = rsdp_scan(ebda, ebda + 1024);
	if (!r)
		r = rsdp_scan(0xe0000, 0x100000);
	return r ? r : rsdp_in_mmap(mbi);
}

/* A table at physical address phys, if its header and checksum hold. */
static const struct acpi_header *table_at(uint64_t addr, const char *what)
{
	const struct acpi_header *h;

	if (!addr || addr > 0xffffffffull - 36) {
		pr_warn("acpi: %s at %llx is beyond 4 GiB; skipped", what,
			(unsigned long long)addr);
		return NULL;
	}
	h = phys((uintptr_t)addr);
	if (h->length < sizeof(*h) || h->length > TABLE_MAX_BYTES ||
	    addr + h->length > 0x100000000ull) {
		pr_warn("acpi: %s at %lx has a bad length (%lu); skipped", what,
			(unsigned long)addr, (unsigned long)h->length);
		return NULL;
	}
	if (sum(h, h->length)) {
		pr_warn("acpi: %s '%.4s' at %lx has a bad checksum; skipped",
			what, h->sig, (unsigned long)addr);
		return NULL;
	}
	return h;
}

static void table_keep(const struct acpi_header *h)
{
	struct table *t;

	if (table_count == TABLES_MAX) {
		pr_warn("acpi: more than %u tables; '%.4s' and later ones are "
			"not kept", TABLES_MAX, h->sig);
		return;
	}
	t = &tables[table_count++];
	memcpy(t->sig, h->sig, 4);
	t->phys = (uint32_t)(uintptr_t)h;
	t->length = h->length;
	t->copy = NULL;
	if (h->length <= COPY_MAX && copies_used + h->length <= COPIES_BYTES) {
		memcpy(copies + copies_used, h, h->length);
		t->copy = (const void *)(copies + copies_used);
		copies_used += (h->length + 7) & ~7u;
	}
}

/* One element of a package: a ByteConst, Zero, One, or a WordConst. */
static int aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *v)
{
	if (p >= end)
		return -1;
	switch (p[0]) {
	case 0x00:              /* ZeroOp */
	case 0x01:              /* OneOp */
		*v = p[0];
		return 1;
	case 0x0a:              /* BytePrefix */
		if (p + 1 >= end)
			return -1;
		*v = p[1];
		return 2;
	case 0x0b:              /* WordPrefix */
		if (p + 2 >= end)
			return -1;
		*v = p[1];
		return 3;
	}
	return -1;
}

/*
 * Find `Name(_S5, Package(N){a, b, ...})` in AML: NameOp (0x08, maybe
 * with a root prefix '\'), "_S5_", PackageOp (0x12), PkgLength (its
 * first byte's top two bits count the bytes that follow), NumElements,
 * then the elements. A byte scan, not an interpreter: an _S5 built by
 * a method would be missed, and is reported as not found.
 */
static bool s5_scan(const uint8_t *aml, uint32_t len)
{
	const uint8_t *end = aml + len;

	for (const uint8_t *p = aml + 2; p + 8 < end; p++) {
		uint8_t a, b;
		int n;

		if (memcmp(p, "_S5_", 4))
			continue;
		if (p[-1] != 0x08 && !(p[-2] == 0x08 && p[-1] == '\\'))
			continue;
		if (p[4] != 0x12)
			continue;
		const uint8_t *q = p + 5 + 1 + (p[5] >> 6) + 1;

		n = aml_small_int(q, end, &a);
		if (n < 0 || aml_small_int(q + n, end, &b) < 0)
			continue;
		acpi.slp_typa = a;
		acpi.slp_typb = b;
		return true;
	}
	return false;
}

static void fadt_read(const struct acpi_header *f)
{
	uint64_t dsdt = 0;
	const struct acpi_header *d;

	if (f->length < FADT_FLAGS) {
		pr_warn("acpi: FADT too short (%lu bytes); power-off by ACPI "
			"is off", (unsigned long)f->length);
		return;
	}
	acpi.fadt = true;
	acpi.smi_cmd = (uint16_t)rd32(f, FADT_SMI_CMD);
	acpi.acpi_enable = ((const uint8_t *)f)[FADT_ACPI_ENABLE];
	acpi.pm1a_cnt = (uint16_t)rd32(f, FADT_PM1A_CNT);
	acpi.pm1b_cnt = (uint16_t)rd32(f, FADT_PM1B_CNT);
	if (f->length >= FADT_RESET_VALUE + 1 &&
	    (rd32(f, FADT_FLAGS) & FADT_RESET_REG_SUP)) {
		const uint8_t *g = (const uint8_t *)f + FADT_RESET_REG;

		acpi.reset_space = g[0];
		acpi.reset_addr = rd64(g, 4);
		acpi.reset_value = ((const uint8_t *)f)[FADT_RESET_VALUE];
		acpi.reset_valid = (g[0] == 1 || g[0] == 2) &&
			acpi.reset_addr;
	}
	if (f->length >= FADT_X_DSDT + 8)
		dsdt = rd64(f, FADT_X_DSDT);
	if (!dsdt)
		dsdt = rd32(f, FADT_DSDT);
	d = table_at(dsdt, "the DSDT");
	if (!d)
		return;
	acpi.s5_valid = s5_scan((const uint8_t *)(d + 1),
				d->length - sizeof(*d));
	if (!acpi.s5_valid)
		pr_warn("acpi: no \\_S5 package in the DSDT; power-off by ACPI "
			"is off");
}

void acpi_init(const struct multiboot_info *mbi)
{
	const struct rsdp *r = rsdp_find(mbi);
	const struct acpi_header *root;
	bool x;
	unsigned n;

	if (!r)
		return;         /* acpi_report says so */
	acpi.found = true;
	acpi.rsdp = (uint32_t)(uintptr_t)r;
	acpi.revision = r->revision;
	x = r->revision >= 2 && r->xsdt && !sum(r, sizeof(*r)) &&
		r->xsdt <= 0xffffffffull;
	root = table_at(x ? r->xsdt : r->rsdt, x ? "the XSDT" : "the RSDT");
	if (!root)
		return;
	acpi.rsdt = (uint32_t)(uintptr_t)root;
	acpi.xsdt = x;
	n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	for (unsigned i = 0; i < n; i++) {
		const void *e = (const uint8_t *)(root + 1) + i * (x ? 8 : 4);
		const struct acpi_header *h =
			table_at(x ? rd64(e, 0) : rd32(e, 0), "a table");

		if (h)
			table_keep(h);
	}
	const struct acpi_header *f = acpi_find_table("FACP", 0);

	if (f)
		fadt_read(f);
	else
		pr_warn("acpi: no FADT; power-off by ACPI is off");
}

const struct acpi_header *acpi_find_table(const char *sig, unsigned index)
{
	for (unsigned i = 0; i < table_count; i++)
		if (!memcmp(tables[i].sig, sig, 4) && index-- == 0)
			return tables[i].copy;
	return NULL;
}

#define SCI_EN 0x0001
#define ACPI_ENABLE_POLLS 300000     /* a port read is about 1 us */

bool acpi_enable_mode(void)
{
	if (!acpi.pm1a_cnt)
		return false;
	if (inw(acpi.pm1a_cnt) & SCI_EN)
		return true;
	if (!acpi.smi_cmd || !acpi.acpi_enable)
		return false;
	outb(acpi.smi_cmd, acpi.acpi_enable);
	for (unsigned i = 0; i < ACPI_ENABLE_POLLS; i++)
		if (inw(acpi.pm1a_cnt) & SCI_EN)
			return true;
	return false;
}

void acpi_report(void)
{
	char sigs[TABLES_MAX * 5 + 1];
	unsigned n = 0;

	if (!acpi.found) {
		pr_info("acpi: no RSDP (EBDA, 0xE0000-0xFFFFF, ACPI memory); "
			"no ACPI: poweroff and reboot fall back to fixed ports");
		return;
	}
	for (unsigned i = 0; i < table_count; i++) {
		memcpy(sigs + n, tables[i].sig, 4);
		sigs[n + 4] = ' ';
		n += 5;
	}
	sigs[n ? n - 1 : 0] = '\0';
	pr_info("acpi: RSDP rev %u at %lx, %s at %lx: %s", acpi.revision,
		(unsigned long)acpi.rsdp, acpi.xsdt ? "XSDT" : "RSDT",
		(unsigned long)acpi.rsdt, n ? sigs : "no tables");
	if (!acpi.fadt)
		return;
	pr_info("acpi: PM1a_CNT %x PM1b_CNT %x SMI_CMD %x/%x, S5 %s%x/%x, "
		"reset %s", acpi.pm1a_cnt, acpi.pm1b_cnt, acpi.smi_cmd,
		acpi.acpi_enable, acpi.s5_valid ? "" : "unknown ",
		acpi.slp_typa, acpi.slp_typb,
		acpi.reset_valid ? (acpi.reset_space == 1 ? "I/O port" :
				    "PCI config") : "register not supported");
}

static int cmd_acpi(int argc, char **argv)
{
	if (!acpi.found) {
		kprintf("acpi: no ACPI tables were found\n");
		return 0;
	}
	for (unsigned i = 0; i < table_count; i++)
		kprintf("  %.4s at %08lx, %5lu bytes%s\n", tables[i].sig,
			(unsigned long)tables[i].phys,
			(unsigned long)tables[i].length,
			tables[i].copy ? "" : " (not copied: too large)");
	kprintf("  ACPI mode (SCI_EN): %s\n", !acpi.pm1a_cnt ? "unknown" :
		(inw(acpi.pm1a_cnt) & SCI_EN) ? "on" : "off (legacy)");
	if (acpi.reset_valid)
		kprintf("  reset register: %s %llx <- %x\n",
			acpi.reset_space == 1 ? "port" : "PCI config",
			(unsigned long long)acpi.reset_addr, acpi.reset_value);
	return 0;
}
COMMAND(acpi, "acpi", "", "list the ACPI tables read at boot",
	cmd_acpi);
