# nbgrader course configuration for the ext4io-teach exercises.
# Copy it into your course directory (next to source/). The code stub makes nbgrader's
# generate_assignment produce the same student cells as tools/build_notebooks.py: the answer
# stays the placeholder `...`, so the check cell raises Unanswered with a hint instead of the
# answer cell raising NotImplementedError.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "ext4io-teach"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ExecutePreprocessor.timeout = 120
