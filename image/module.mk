# Image assembly: build/image/<arch>/{kernel,initramfs}.
#
# The initramfs compression was chosen by measurement (bench/initramfs.mjs,
# part of make bench; figures in docs/image.md): the kernel's time to /init
# differs by less than the run-to-run noise between none, gzip, lz4 and
# zstd, so the smallest of those wins: zstd (xz is smaller still but was
# the slowest on aarch64).  INITRAMFS_COMPRESS=none|gzip|lz4|xz builds the others.
INITRAMFS_COMPRESS ?= zstd
IMAGE_DIR := $(BUILD)/image/$(ARCH)
IMAGE_PROGS := init mcpd

compress_gzip := gzip -9 -n -c
compress_lz4  := lz4 -l -9 -c
compress_zstd := zstd -19 -q -c
compress_xz   := xz --check=crc32 -9 -c
compress_none := cat

.PHONY: image kernel initramfs
image: kernel initramfs
	@ls -l $(IMAGE_DIR)/kernel $(IMAGE_DIR)/initramfs | awk '{print "image: " $$9 " " $$5 " bytes"}'

# The kernel script decides itself whether its cache is current, so it
# always runs (a cache hit takes a fraction of a second).
kernel: deps-kernel
	@kernel/build.sh $(ARCH) $(IMAGE_DIR)

deps-kernel:
	@scripts/deps.sh build kernel

$(IMAGE_DIR)/initramfs.cpio: image/rootfs.manifest $(BUILD)/host/mkcpio \
		$(foreach p,$(IMAGE_PROGS),$(BUILD)/$(ARCH)/$(p)) | $(IMAGE_DIR)/.dir
	$(BUILD)/host/mkcpio -o $@ -D BUILD=$(BUILD) -D ARCH=$(ARCH) -e $(SOURCE_DATE_EPOCH) image/rootfs.manifest

$(IMAGE_DIR)/initramfs: $(IMAGE_DIR)/initramfs.cpio image/module.mk
	$(compress_$(INITRAMFS_COMPRESS)) $< > $@.tmp && mv $@.tmp $@

initramfs: $(IMAGE_DIR)/initramfs
