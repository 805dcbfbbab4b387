# The guide, replayed end to end (tests/e2e/guide_replay.sh).
foreach(mode plain verified restart rotate)
    gw_e2e_test(e2e_guide_${mode} guide_replay.sh ${mode})
endforeach()
