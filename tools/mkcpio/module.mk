# mkcpio: the initramfs writer (host tool), its unit tests and fuzz targets.
MKCPIO_MANIFEST := tools/mkcpio/manifest.c
MKCPIO_NEWC := tools/mkcpio/newc.c
CFLAGS_test_mkcpio_manifest := -Itools/mkcpio
CFLAGS_test_mkcpio_newc := -Itools/mkcpio
CFLAGS_manifest := -Itools/mkcpio
CFLAGS_newc_read := -Itools/mkcpio

$(eval $(call host_prog,mkcpio,tools/mkcpio/mkcpio.c $(MKCPIO_MANIFEST) $(MKCPIO_NEWC)))
$(eval $(call unit_test,test_mkcpio_manifest,tests/unit/test_mkcpio_manifest.c $(MKCPIO_MANIFEST)))
$(eval $(call unit_test,test_mkcpio_newc,tests/unit/test_mkcpio_newc.c $(MKCPIO_NEWC)))
$(eval $(call fuzz_target,manifest,fuzz/manifest.c $(MKCPIO_MANIFEST) $(MKCPIO_NEWC)))
$(eval $(call fuzz_target,newc_read,fuzz/newc_read.c $(MKCPIO_NEWC)))

# The templates know only the sources; rebuild when a header changes too.
$(BUILD)/host/mkcpio $(BUILD)/fuzz/manifest $(BUILD)/fuzz/newc_read \
$(foreach t,test_mkcpio_manifest test_mkcpio_newc,$(BUILD)/test/san/$(t) $(BUILD)/test/x86_64/$(t) $(BUILD)/test/aarch64/$(t)): \
	$(wildcard tools/mkcpio/*.h)
