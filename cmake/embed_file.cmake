# Embeds one text file as a NUL-terminated C string named VAR, so the single binary carries it.
# Run as: cmake -DIN=<file> -DOUT=<file.c> -DVAR=<name> -P embed_file.cmake
file(READ ${IN} text HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${text}")
file(WRITE ${OUT}.tmp "/* Generated from ${IN} at build time; do not edit. */\nconst char ${VAR}[] = {${bytes} 0x00};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
