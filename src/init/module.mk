# init: PID 1 (build/<arch>/init), its unit tests and fuzz targets.
# Pure parts (unit-tested on every build of the tests, fuzzed):
INIT_PURE := src/init/cmdline.c src/init/net.c src/init/meminfo.c src/init/budget.c \
	src/init/services.c src/init/timeline.c src/init/modules.c src/init/fsutil.c \
	src/lib/log.c
# The parts that act on the system (exercised by tests/host/init.sh):
INIT_SYS := src/init/mounts.c src/init/supervise.c src/init/shutdown.c

$(eval $(call target_prog,init,src/init/init.c $(INIT_PURE) $(INIT_SYS)))
$(eval $(call unit_test,test_init_parts,tests/unit/test_init_parts.c $(INIT_PURE) $(INIT_SYS)))
$(eval $(call fuzz_target,cmdline,fuzz/cmdline.c src/init/cmdline.c src/init/net.c src/lib/log.c))
$(eval $(call fuzz_target,meminfo,fuzz/meminfo.c src/init/meminfo.c src/init/budget.c src/lib/log.c))
$(eval $(call fuzz_target,services,fuzz/services.c src/init/services.c))
$(eval $(call fuzz_target,modules,fuzz/modules.c src/init/modules.c src/init/fsutil.c src/init/timeline.c src/lib/log.c))
