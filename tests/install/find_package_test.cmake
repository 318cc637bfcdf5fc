# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -DBUILD_TYPE=... -P find_package_test.cmake
# Installs the build into WORK_DIR/prefix, builds examples/consumer against it with
# find_package(nnlab), runs the program and checks its output.
file(REMOVE_RECURSE ${WORK_DIR})
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run("configuring examples/consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/consumer
    -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=${BUILD_TYPE})
run("building examples/consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run("running the consumer" ${WORK_DIR}/build/two_moons_curvature)
if(NOT output MATCHES "test accuracy 9[0-9]\\.[0-9]%" OR NOT output MATCHES "sharpness: top Hessian eigenvalue")
  message(FATAL_ERROR "unexpected output of the installed example:\n${output}")
endif()
message(STATUS "${output}")
file(REMOVE_RECURSE ${WORK_DIR})
