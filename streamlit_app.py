"""Fashion-MNIST playground: navigation only; each page lives in playground/pages/."""

import streamlit as st

# The tab's icon: an emoji becomes an inline picture, whereas a page's :material/...: icon would be fetched from
# Google's font server (Streamlit 1.67 makes those the tab icon), and the app fetches nothing from the internet.
st.set_page_config(page_icon="👕")

pages = {
    "Learn": [
        st.Page("playground/pages/lesson.py", title="Lesson", icon=":material/school:"),
        st.Page("playground/pages/explore.py", title="Explore the data", icon=":material/grid_view:"),
        st.Page("playground/pages/train.py", title="Train", icon=":material/model_training:", default=True),
        st.Page("playground/pages/softmax_relu.py", title="Softmax and ReLU", icon=":material/functions:"),
    ],
    "Use": [
        st.Page("playground/pages/try_it.py", title="Try it", icon=":material/draw:"),
    ],
}

st.navigation(pages).run()
