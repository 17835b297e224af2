# nbgrader course configuration for the ext4io-teach exercises.
# tools/build_notebooks.py runs nbgrader's generate_assignment with this file to make the committed
# student versions; copy it into your course directory (next to source/) to make the same ones. The
# code stub leaves the answer the placeholder `...`, so the check cell raises Unanswered with a hint
# instead of the answer cell raising NotImplementedError.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "ext4io-teach"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ExecutePreprocessor.timeout = 120
